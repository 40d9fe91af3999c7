#!/usr/bin/python3
"""Speed baseline: the search step of the Python reference implementation of DARTS.

This is a re-implementation, written for this project, of the cost of one
first-order architecture-search iteration in the reference DARTS code
(Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019;
its model_search.py, operations.py, architect.py and train_search.py). It
mirrors the reference's structure, including its inefficiencies (e.g. the
`none` op is evaluated and multiplied by its weight, Python `sum` over
generators, loss.backward() through the whole network in the alpha step,
NCHW tensors), so that the figures it prints can serve as a same-machine
speed comparison for our C++ implementation (`supernet bench search`).

It is used only for that comparison: nothing at runtime or in the tests
imports or runs it. Data loading is not measured: the train and validation
batches are random tensors created once before timing.

Run it with Debian's interpreter (it needs torch):

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/reference/darts_reference_bench.py --threads 1

Options: --channels 8 --layers 5 --batch 64 --image-size 28 --image-channels 1
--classes 10 --threads 1 --iterations 5 --warmup 1 [--channels-last] [--json]
[--device cpu|cuda]

Time to accuracy (the counterpart of tools/experiments/variants_time_to_accuracy.sh):
--train-to 0.80 --fashion-mnist DIR [--max-per-class 500 --image-size 16 --max-epochs 15]
searches on real images, 50/25/25 stratified splits of the train file, and prints the wall time
(epoch times summed, validation included) until the supernet's validation accuracy first
reaches the target. Validation uses batch statistics, like `supernet search` by default.
"""

import argparse
import gzip
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- operations

PRIMITIVES = [
    'none',
    'max_pool_3x3',
    'avg_pool_3x3',
    'skip_connect',
    'sep_conv_3x3',
    'sep_conv_5x5',
    'dil_conv_3x3',
    'dil_conv_5x5',
]

OPS = {
    'none': lambda C, stride, affine: Zero(stride),
    'avg_pool_3x3': lambda C, stride, affine: nn.AvgPool2d(
        3, stride=stride, padding=1, count_include_pad=False),
    'max_pool_3x3': lambda C, stride, affine: nn.MaxPool2d(3, stride=stride, padding=1),
    'skip_connect': lambda C, stride, affine: (
        Identity() if stride == 1 else FactorizedReduce(C, C, affine=affine)),
    'sep_conv_3x3': lambda C, stride, affine: SepConv(C, C, 3, stride, 1, affine=affine),
    'sep_conv_5x5': lambda C, stride, affine: SepConv(C, C, 5, stride, 2, affine=affine),
    'dil_conv_3x3': lambda C, stride, affine: DilConv(C, C, 3, stride, 2, 2, affine=affine),
    'dil_conv_5x5': lambda C, stride, affine: DilConv(C, C, 5, stride, 4, 2, affine=affine),
}


class ReLUConvBN(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride=stride, padding=padding,
                      dilation=dilation, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_out, kernel_size=1, padding=0, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class SepConv(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride=stride, padding=padding,
                      groups=C_in, bias=False),
            nn.Conv2d(C_in, C_in, kernel_size=1, padding=0, bias=False),
            nn.BatchNorm2d(C_in, affine=affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, kernel_size, stride=1, padding=padding,
                      groups=C_in, bias=False),
            nn.Conv2d(C_in, C_out, kernel_size=1, padding=0, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class Identity(nn.Module):
    def forward(self, x):
        return x


class Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        if self.stride == 1:
            return x.mul(0.)
        return x[:, :, ::self.stride, ::self.stride].mul(0.)


class FactorizedReduce(nn.Module):
    def __init__(self, C_in, C_out, affine=True):
        super().__init__()
        assert C_out % 2 == 0
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(C_out, affine=affine)

    def forward(self, x):
        x = self.relu(x)
        out = torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1)
        return self.bn(out)


# -------------------------------------------------------------- model_search

class MixedOp(nn.Module):
    def __init__(self, C, stride):
        super().__init__()
        self._ops = nn.ModuleList()
        for primitive in PRIMITIVES:
            op = OPS[primitive](C, stride, False)
            if 'pool' in primitive:
                op = nn.Sequential(op, nn.BatchNorm2d(C, affine=False))
            self._ops.append(op)

    def forward(self, x, weights):
        # As in the reference: every op, `none` included, is evaluated.
        return sum(w * op(x) for w, op in zip(weights, self._ops))


class Cell(nn.Module):
    def __init__(self, steps, multiplier, C_prev_prev, C_prev, C, reduction, reduction_prev):
        super().__init__()
        self.reduction = reduction
        if reduction_prev:
            self.preprocess0 = FactorizedReduce(C_prev_prev, C, affine=False)
        else:
            self.preprocess0 = ReLUConvBN(C_prev_prev, C, 1, 1, 0, affine=False)
        self.preprocess1 = ReLUConvBN(C_prev, C, 1, 1, 0, affine=False)
        self._steps = steps
        self._multiplier = multiplier
        self._ops = nn.ModuleList()
        for i in range(self._steps):
            for j in range(2 + i):
                stride = 2 if reduction and j < 2 else 1
                self._ops.append(MixedOp(C, stride))

    def forward(self, s0, s1, weights):
        s0 = self.preprocess0(s0)
        s1 = self.preprocess1(s1)
        states = [s0, s1]
        offset = 0
        for _ in range(self._steps):
            s = sum(self._ops[offset + j](h, weights[offset + j]) for j, h in enumerate(states))
            offset += len(states)
            states.append(s)
        return torch.cat(states[-self._multiplier:], dim=1)


class Network(nn.Module):
    def __init__(self, C, num_classes, layers, criterion, C_in=3,
                 steps=4, multiplier=4, stem_multiplier=3):
        super().__init__()
        self._C = C
        self._num_classes = num_classes
        self._layers = layers
        self._criterion = criterion
        self._steps = steps
        self._multiplier = multiplier

        C_curr = stem_multiplier * C
        self.stem = nn.Sequential(
            nn.Conv2d(C_in, C_curr, 3, padding=1, bias=False),
            nn.BatchNorm2d(C_curr),
        )
        C_prev_prev, C_prev, C_curr = C_curr, C_curr, C
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            if i in [layers // 3, 2 * layers // 3]:
                C_curr *= 2
                reduction = True
            else:
                reduction = False
            cell = Cell(steps, multiplier, C_prev_prev, C_prev, C_curr, reduction, reduction_prev)
            reduction_prev = reduction
            self.cells += [cell]
            C_prev_prev, C_prev = C_prev, multiplier * C_curr

        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)
        self._initialize_alphas()

    def forward(self, input):
        s0 = s1 = self.stem(input)
        for cell in self.cells:
            if cell.reduction:
                weights = F.softmax(self.alphas_reduce, dim=-1)
            else:
                weights = F.softmax(self.alphas_normal, dim=-1)
            s0, s1 = s1, cell(s0, s1, weights)
        out = self.global_pooling(s1)
        logits = self.classifier(out.view(out.size(0), -1))
        return logits

    def _loss(self, input, target):
        logits = self(input)
        return self._criterion(logits, target)

    def _initialize_alphas(self):
        k = sum(1 for i in range(self._steps) for _ in range(2 + i))
        num_ops = len(PRIMITIVES)
        # Plain leaf tensors (not nn.Parameter), as in the reference, so that
        # model.parameters() holds the weights only.
        self.alphas_normal = (1e-3 * torch.randn(k, num_ops)).requires_grad_(True)
        self.alphas_reduce = (1e-3 * torch.randn(k, num_ops)).requires_grad_(True)
        self._arch_parameters = [self.alphas_normal, self.alphas_reduce]

    def arch_parameters(self):
        return self._arch_parameters

    def to_device(self, device):
        """Module.to() leaves the plain alpha tensors behind; they move here."""
        self.to(device)
        self.alphas_normal = self.alphas_normal.detach().to(device).requires_grad_(True)
        self.alphas_reduce = self.alphas_reduce.detach().to(device).requires_grad_(True)
        self._arch_parameters = [self.alphas_normal, self.alphas_reduce]
        return self


# ----------------------------------------------------------------- architect

class Architect:
    def __init__(self, model, momentum=0.9, weight_decay=3e-4,
                 arch_learning_rate=3e-4, arch_weight_decay=1e-3):
        self.network_momentum = momentum
        self.network_weight_decay = weight_decay
        self.model = model
        self.optimizer = torch.optim.Adam(self.model.arch_parameters(),
                                          lr=arch_learning_rate, betas=(0.5, 0.999),
                                          weight_decay=arch_weight_decay)

    def step(self, input_train, target_train, input_valid, target_valid, eta,
             network_optimizer, unrolled):
        self.optimizer.zero_grad()
        if unrolled:
            raise NotImplementedError('only the first-order path is reproduced')
        self._backward_step(input_valid, target_valid)
        self.optimizer.step()

    def _backward_step(self, input_valid, target_valid):
        loss = self.model._loss(input_valid, target_valid)
        loss.backward()


# -------------------------------------------------------------- train_search

def accuracy(output, target, topk=(1,)):
    maxk = max(topk)
    batch_size = target.size(0)
    _, pred = output.topk(maxk, 1, True, True)
    pred = pred.t()
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    res = []
    for k in topk:
        correct_k = correct[:k].reshape(-1).float().sum(0)
        res.append(correct_k.mul_(100.0 / batch_size))
    return res


def read_idx(path):
    """An IDX file (optionally gzip-compressed) as a uint8 tensor of its dimensions."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    offset = 4 + 4 * dims
    return torch.frombuffer(bytearray(data[offset:]), dtype=torch.uint8).reshape(shape)


def fashion_mnist_splits(folder, per_class, size, seed):
    """Seeded stratified 50/25/25 splits of `per_class` train images per class, resized to
    size x size and standardised with the search-train split's mean and deviation."""
    def find(stem):
        for name in (stem, stem + '.gz'):
            if os.path.exists(os.path.join(folder, name)):
                return os.path.join(folder, name)
        raise SystemExit('%s: no %s' % (folder, stem))
    images = read_idx(find('train-images-idx3-ubyte')).float().div_(255).unsqueeze(1)
    labels = read_idx(find('train-labels-idx1-ubyte')).long()
    g = torch.Generator().manual_seed(seed)
    parts = ([], [], [])
    for c in range(int(labels.max()) + 1):
        idx = (labels == c).nonzero().flatten()
        idx = idx[torch.randperm(len(idx), generator=g)][:per_class]
        n_train, n_val = len(idx) // 2, len(idx) // 4
        parts[0].append(idx[:n_train])
        parts[1].append(idx[n_train:n_train + n_val])
        parts[2].append(idx[n_train + n_val:])
    x = F.interpolate(images, size=(size, size), mode='bilinear', align_corners=False)
    train = torch.cat(parts[0])
    mean, std = x[train].mean(), x[train].std()
    x = (x - mean) / std
    return [(x[torch.cat(p)], labels[torch.cat(p)]) for p in parts[:2]]


def time_to_accuracy(args, device):
    (xt, yt), (xv, yv) = fashion_mnist_splits(args.fashion_mnist, args.max_per_class,
                                              args.image_size, args.seed)
    # The splits are stored class by class: validation batches in that order would each be
    # normalised by one class's batch statistics. Visit them in a fixed mixed order instead.
    mixed = torch.randperm(len(yv), generator=torch.Generator().manual_seed(args.seed))
    xv, yv = xv[mixed], yv[mixed]
    criterion = nn.CrossEntropyLoss()
    model = Network(args.channels, int(yt.max()) + 1, args.layers, criterion,
                    C_in=1).to_device(device)
    lr_max, lr_min, grad_clip = 0.025, 0.001, 5.0
    optimizer = torch.optim.SGD(model.parameters(), lr_max, momentum=0.9, weight_decay=3e-4)
    architect = Architect(model)
    g = torch.Generator().manual_seed(args.seed)
    elapsed, reached, best = 0.0, None, 0.0
    for epoch in range(args.max_epochs):
        lr = lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * epoch / args.max_epochs))
        for group in optimizer.param_groups:
            group['lr'] = lr
        start = time.perf_counter()
        order = torch.randperm(len(yt), generator=g)
        for b in range(0, len(order) - args.batch + 1, args.batch):
            i = order[b:b + args.batch]
            j = torch.randint(0, len(yv), (args.batch,), generator=g)
            model.train()
            architect.step(xt[i].to(device), yt[i].to(device), xv[j].to(device),
                           yv[j].to(device), lr, optimizer, unrolled=False)
            optimizer.zero_grad()
            loss = criterion(model(xt[i].to(device)), yt[i].to(device))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()
        correct = 0
        with torch.no_grad():
            for b in range(0, len(yv), args.batch):
                logits = model(xv[b:b + args.batch].to(device))
                correct += (logits.argmax(1).cpu() == yv[b:b + args.batch]).sum().item()
        elapsed += time.perf_counter() - start
        acc = correct / len(yv)
        best = max(best, acc)
        print('epoch %d: val acc %.4f, %.1f s' % (epoch + 1, acc, elapsed), file=sys.stderr)
        if acc >= args.train_to:
            reached = (epoch + 1, elapsed)
            break
    result = {'target': args.train_to, 'reached': reached is not None,
              'epochs': reached[0] if reached else None,
              'seconds': reached[1] if reached else None, 'best_val_acc': best}
    print(json.dumps(result) if args.json else
          ('reached %.2f after %d epochs, %.1f s' % (args.train_to, *reached) if reached
           else 'not reached in %d epochs (best %.4f)' % (args.max_epochs, best)))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--channels', type=int, default=8)
    p.add_argument('--layers', type=int, default=5)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--image-size', type=int, default=28)
    p.add_argument('--image-channels', type=int, default=1)
    p.add_argument('--classes', type=int, default=10)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--iterations', type=int, default=5)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--channels-last', action='store_true',
                   help='use NHWC memory format (the reference does not)')
    p.add_argument('--json', action='store_true')
    p.add_argument('--seed', type=int, default=2)
    p.add_argument('--device', default='cpu', help='cpu, cuda or cuda:N')
    p.add_argument('--train-to', type=float, help='time to this validation accuracy instead')
    p.add_argument('--fashion-mnist', default='/usr/share/datasets/fashion-mnist')
    p.add_argument('--max-per-class', type=int, default=500)
    p.add_argument('--max-epochs', type=int, default=15)
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if args.train_to is not None:
        return time_to_accuracy(args, device)

    criterion = nn.CrossEntropyLoss()
    model = Network(args.channels, args.classes, args.layers, criterion,
                    C_in=args.image_channels).to_device(device)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)

    lr = 0.025
    grad_clip = 5.0
    optimizer = torch.optim.SGD(model.parameters(), lr, momentum=0.9, weight_decay=3e-4)
    architect = Architect(model)

    shape = (args.batch, args.image_channels, args.image_size, args.image_size)
    input_train = torch.randn(shape, device=device).contiguous(memory_format=memory_format)
    target_train = torch.randint(0, args.classes, (args.batch,), device=device)
    input_search = torch.randn(shape, device=device).contiguous(memory_format=memory_format)
    target_search = torch.randint(0, args.classes, (args.batch,), device=device)

    def now():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)  # kernels run asynchronously
        return time.perf_counter()

    alpha_times, weight_times, iter_times = [], [], []
    for it in range(args.warmup + args.iterations):
        model.train()
        t0 = now()
        architect.step(input_train, target_train, input_search, target_search,
                       lr, optimizer, unrolled=False)
        t1 = now()
        optimizer.zero_grad()
        logits = model(input_train)
        loss = criterion(logits, target_train)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        prec1, prec5 = accuracy(logits, target_train, topk=(1, 5))
        _ = (loss.item(), prec1.item(), prec5.item())
        t2 = now()
        if it >= args.warmup:
            alpha_times.append(t1 - t0)
            weight_times.append(t2 - t1)
            iter_times.append(t2 - t0)

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    result = {
        'device': str(device),
        'peak_gpu_mb': (torch.cuda.max_memory_allocated(device) / 2**20
                        if device.type == 'cuda' else None),
        'median_iteration_s': statistics.median(iter_times),
        'median_weight_step_s': statistics.median(weight_times),
        'median_alpha_step_s': statistics.median(alpha_times),
        'peak_rss_mb': peak_rss_mb,
        'threads': args.threads,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print('median s/iteration (alpha + weight step): %.6f' % result['median_iteration_s'])
        print('median s/weight step: %.6f' % result['median_weight_step_s'])
        print('median s/alpha step: %.6f' % result['median_alpha_step_s'])
        print('peak RSS: %.1f MB' % result['peak_rss_mb'])
        print('threads: %d' % result['threads'])
    return 0


if __name__ == '__main__':
    sys.exit(main())
