#include "wb/darts/weights_export.h"

#include "darts/pickle_file.h"

#include "wb/common/error.h"

#include <torch/torch.h>

#include <fstream>

namespace wb::darts {
namespace {

// Walks a nested archive (modules save their children as sub-archives).
void collect(torch::serialize::InputArchive& archive, const std::string& prefix,
             c10::Dict<std::string, torch::Tensor>& out)
{
    for (const auto& key : archive.keys()) {
        torch::Tensor t;
        if (archive.try_read(key, t)) {
            out.insert(prefix + key, t.contiguous());
            continue;
        }
        torch::serialize::InputArchive child;
        if (archive.try_read(key, child)) collect(child, prefix + key + ".", out);
    }
}

} // namespace

void exportSearchWeights(const std::string& checkpointPath, const std::string& outPath)
{
    c10::Dict<std::string, torch::Tensor> tensors;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(checkpointPath, torch::kCPU); // written on any device
        torch::serialize::InputArchive net;
        archive.read("supernet", net);
        collect(net, "supernet.", tensors);
        for (const char* key : {"alpha_normal", "alpha_reduce"}) {
            torch::Tensor t;
            archive.read(key, t);
            tensors.insert(key, t.contiguous());
        }
        for (const char* key : {"beta_normal", "beta_reduce"}) // PC-DARTS only
            if (torch::Tensor t; archive.try_read(key, t)) tensors.insert(key, t.contiguous());
    } catch (const c10::Error& e) {
        throw Error(checkpointPath + ": cannot read the checkpoint (" + e.what_without_backtrace() +
                    ")");
    }
    writePickle(tensors, outPath);
}

void writePickle(const c10::IValue& value, const std::string& path)
{
    const auto bytes = torch::pickle_save(value);
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out.flush()) throw Error(path + ": cannot write");
}

} // namespace wb::darts
