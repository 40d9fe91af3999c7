#pragma once

// The found network as a model to take away: `model.py`, a self-contained PyTorch module of a
// genotype's network (DARTS' evaluation network without the auxiliary head; only torch needed),
// and for a trained network its state dict with an example input and the logits it gives.

#include "wb/darts/genotype.h"

#include <string>
#include <vector>

namespace wb::darts {

struct ModelSpec {
    Genotype genotype;
    int inChannels = 1;
    int classes = 2;
    int channels = 16; // initial channels C
    int layers = 8;    // cells
    int imageSize = 0; // the side the run's images were loaded at (for the docstring)
    // weights.pt beside model.py holds this network's trained weights (a train run's export);
    // otherwise the network is untrained (a search's derived cell, sized as `supernet train`
    // would train it).
    bool trained = false;
    std::string origin; // one line naming the run, for the docstring
    // The input normalisation of the training run (per-channel mean and sd of its training
    // split, images in [0, 1]); empty when unknown.
    std::vector<float> mean;
    std::vector<float> sd;
};

// The text of model.py. `Network()` needs no arguments (the sizes above are its defaults);
// running the file checks weights.pt against example_input.pt / example_logits.pt and, with
// --torchscript FILE / --onnx FILE, writes those formats (trained networks only).
std::string modelPythonFile(const ModelSpec& spec);

// From a training checkpoint: DIR/weights.pt (the network's parameters and BN buffers by module
// path, without the auxiliary head, as a dict Python's torch.load reads), DIR/example_input.pt
// (two seeded random normalised images) and DIR/example_logits.pt (the network's logits for them
// in eval mode); fills spec.mean and spec.sd from the checkpoint. `auxiliary`: the checkpoint's
// network has the auxiliary head. Throws wb::Error naming the file.
void exportTrainedModel(const std::string& checkpointPath, ModelSpec& spec, bool auxiliary,
                        const std::string& directory);

} // namespace wb::darts
