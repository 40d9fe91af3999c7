#include "wb/darts/model_export.h"

#include "wb/common/number_text.h"

#include <string_view>

namespace wb::darts {
namespace {

// The module of model.py below the constants; module and attribute names are those of the C++
// evaluation network (eval_network.h, ops.h), so its state dict loads unchanged.
constexpr std::string_view kModules = R"py(

class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return self.bn(self.conv(F.relu(x)))


class FactorizedReduce(nn.Module):
    """Halves the resolution: a stride-2 1x1 convolution of the even pixels beside one of the
    odd pixels (padding 1, first row and column dropped), concatenated."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = F.relu(x)
        odd = self.conv_2(x)[:, :, 1:, 1:]
        return self.bn(torch.cat([self.conv_1(x), odd], dim=1))


class DilConv(nn.Module):
    def __init__(self, c, kernel, stride, padding, dilation):
        super().__init__()
        self.depthwise = nn.Conv2d(c, c, kernel, stride, padding, dilation, groups=c, bias=False)
        self.pointwise = nn.Conv2d(c, c, 1, bias=False)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x):
        return self.bn(self.pointwise(self.depthwise(F.relu(x))))


class SepConv(nn.Module):
    def __init__(self, c, kernel, stride, padding):
        super().__init__()
        self.op1 = DilConv(c, kernel, stride, padding, 1)
        self.op2 = DilConv(c, kernel, 1, padding, 1)

    def forward(self, x):
        return self.op2(self.op1(x))


class MaxPool(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return F.max_pool2d(x, 3, self.stride, 1)


class AvgPool(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return F.avg_pool2d(x, 3, self.stride, 1, count_include_pad=False)


def make_op(name, c, stride):
    if name == 'skip_connect':
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if name == 'max_pool_3x3':
        return MaxPool(stride)
    if name == 'avg_pool_3x3':
        return AvgPool(stride)
    if name.startswith('sep_conv_'):
        k = int(name[-1])
        return SepConv(c, k, stride, k // 2)
    if name == 'dil_conv_3x3':
        return DilConv(c, 3, stride, 2, 2)
    if name == 'dil_conv_5x5':
        return DilConv(c, 5, stride, 4, 2)
    raise ValueError('unknown op ' + name)


class Cell(nn.Module):
    def __init__(self, genotype, c_prev_prev, c_prev, c, reduction, reduction_prev):
        super().__init__()
        if reduction_prev:
            self.preprocess0 = FactorizedReduce(c_prev_prev, c)
        else:
            self.preprocess0 = ReLUConvBN(c_prev_prev, c)
        self.preprocess1 = ReLUConvBN(c_prev, c)
        edges = genotype.reduce if reduction else genotype.normal
        self.concat = list(genotype.reduce_concat if reduction else genotype.normal_concat)
        self.inputs = [i for _, i in edges]
        for k, (op, i) in enumerate(edges):
            stride = 2 if reduction and i < 2 else 1
            self.add_module('op_%d' % k, make_op(op, c, stride))
        self.out_channels = len(self.concat) * c

    def forward(self, s0, s1):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for k in range(0, len(self.inputs), 2):
            a = getattr(self, 'op_%d' % k)(states[self.inputs[k]])
            b = getattr(self, 'op_%d' % (k + 1))(states[self.inputs[k + 1]])
            states.append(a + b)
        return torch.cat([states[i] for i in self.concat], dim=1)


class Network(nn.Module):
    """The evaluation network: a 3x3 stem to 3C channels, `layers` cells (reduction cells at 1/3
    and 2/3 of the depth double the channels and halve the resolution), global average pooling
    and a linear classifier."""

    def __init__(self, in_channels=IN_CHANNELS, classes=CLASSES, channels=CHANNELS,
                 layers=LAYERS, genotype=GENOTYPE):
        super().__init__()
        c = channels
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, STEM_MULTIPLIER * c, 3, padding=1, bias=False),
            nn.BatchNorm2d(STEM_MULTIPLIER * c))
        c_prev_prev = c_prev = STEM_MULTIPLIER * c
        reduction_prev = False
        self.cells = []
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c *= 2
            cell = Cell(genotype, c_prev_prev, c_prev, c, reduction, reduction_prev)
            self.add_module('cell_%d' % i, cell)
            self.cells.append(cell)
            reduction_prev = reduction
            c_prev_prev, c_prev = c_prev, cell.out_channels
        self.classifier = nn.Linear(c_prev, classes)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))


def main(argv):
    import argparse
    parser = argparse.ArgumentParser(
        description='Checks weights.pt against example_input.pt and example_logits.pt; '
                    'optionally writes TorchScript and ONNX versions of the network.')
    parser.add_argument('--torchscript', metavar='FILE', help='write a traced TorchScript module')
    parser.add_argument('--onnx', metavar='FILE', help='write an ONNX graph (batch size free)')
    args = parser.parse_args(argv)
    if not TRAINED:
        parser.exit(2, 'model.py: this network is untrained (a search\'s derived cell); train '
                       'it with `supernet train --genotype genotype.json` and export that run\n')
    here = os.path.dirname(os.path.abspath(__file__))
    model = Network()
    model.load_state_dict(torch.load(os.path.join(here, 'weights.pt')))
    model.eval()
    x = torch.load(os.path.join(here, 'example_input.pt'))
    expected = torch.load(os.path.join(here, 'example_logits.pt'))
    with torch.no_grad():
        difference = (model(x) - expected).abs().max().item()
    print('max |logits - example_logits| = %.3g' % difference)
    if not difference <= 1e-4:
        parser.exit(1, 'model.py: the logits differ from example_logits.pt\n')
    if args.torchscript:
        with torch.no_grad():
            torch.jit.trace(model, x).save(args.torchscript)
        print('wrote ' + args.torchscript)
    if args.onnx:
        torch.onnx.export(model, x, args.onnx, input_names=['images'], output_names=['logits'],
                          dynamic_axes={'images': {0: 'batch'}, 'logits': {0: 'batch'}},
                          opset_version=13)
        print('wrote ' + args.onnx)


if __name__ == '__main__':
    main(sys.argv[1:])
)py";

} // namespace

std::string modelPythonFile(const ModelSpec& s)
{
    const auto n = [](int v) { return std::to_string(v); };
    const std::string size = s.imageSize > 0 ? n(s.imageSize) + " x " + n(s.imageSize) : "H x W";
    std::string out = "\"\"\"A network found by Supernet Workbench (" + s.origin + ").\n\n";
    out += s.trained
               ? "The trained DARTS evaluation network of the genotype below (Liu et al. 2019, "
                 "without the\nauxiliary head). "
               : "The DARTS evaluation network of the genotype below (Liu et al. 2019), "
                 "untrained: the\nweights.pt beside this file, if any, is the search's supernet, "
                 "not this network. ";
    out += "Needs only torch:\n\n"
           "    from model import Network\n"
           "    model = Network()\n";
    if (s.trained) out += "    model.load_state_dict(torch.load('weights.pt'))\n";
    out += "    model.eval()\n"
           "    logits = model(normalise(images))  # N x " +
           n(s.inChannels) + " x " + size + ", pixels in [0, 1]\n\n";
    if (s.trained)
        out += "Run it (`python3 model.py`) to check weights.pt against example_input.pt and\n"
               "example_logits.pt; --torchscript FILE and --onnx FILE also convert the network.\n";
    out += "\"\"\"\n"
           "import os\n"
           "import sys\n"
           "from collections import namedtuple\n\n"
           "import torch\n"
           "import torch.nn as nn\n"
           "import torch.nn.functional as F\n\n"
           "Genotype = namedtuple('Genotype', 'normal normal_concat reduce reduce_concat')\n\n"
           "GENOTYPE = " +
           s.genotype.toPython() + "\nIN_CHANNELS = " + n(s.inChannels) +
           "\nCLASSES = " + n(s.classes) + "\nCHANNELS = " + n(s.channels) +
           "\nLAYERS = " + n(s.layers) +
           "\nSTEM_MULTIPLIER = 3\nTRAINED = " + (s.trained ? "True" : "False") + "\n";
    // The training split's statistics; without them (an untrained network) none.
    const auto list = [](const std::vector<float>& v) {
        std::string text = "[";
        for (std::size_t i = 0; i < v.size(); ++i)
            text += (i ? ", " : "") + shortestText(v[i]);
        return text + "]";
    };
    const bool known = !s.mean.empty() && s.mean.size() == s.sd.size();
    out += "# Per-channel mean and standard deviation of the training images (pixels in [0, 1]).\n"
           "MEAN = " +
           (known ? list(s.mean) : "None") + "\nSTD = " + (known ? list(s.sd) : "None") +
           "\n\n\n"
           "def normalise(images):\n"
           "    \"\"\"Maps N x C x H x W images in [0, 1] to the network's input scale.\"\"\"\n"
           "    if MEAN is None:\n"
           "        return images\n"
           "    mean = torch.tensor(MEAN, dtype=images.dtype).view(1, -1, 1, 1)\n"
           "    std = torch.tensor(STD, dtype=images.dtype).clamp_min(1e-6).view(1, -1, 1, 1)\n"
           "    return (images - mean) / std\n";
    out += kModules;
    return out;
}

} // namespace wb::darts
