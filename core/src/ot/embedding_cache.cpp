#include "ot/embedder.h"

#include "wb/common/error.h"
#include "wb/common/sha256.h"

#include <cstring>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace wb::ot {
namespace {

std::string sha256Hex(const std::string& text)
{
    Sha256 hash;
    hash.update(text);
    return hash.hexDigest();
}

} // namespace

// Rows computed so far for one (dataset, embedder): indices ascending, features aligned.
struct CacheEntry {
    torch::Tensor indices;  // int64 k
    torch::Tensor features; // float32 k x D
};

struct EmbeddingCache::Impl {
    std::string directory;
    EmbeddingMirror mirror;
    std::map<std::string, CacheEntry> entries;
    int hits = 0;

    std::string file(const std::string& name) const
    {
        return (fs::path(directory) / (name + ".pt")).string();
    }

    // A file that cannot be read, or that belongs to another embedder key, is ignored (and
    // overwritten later): the cache is never the reason a distance fails.
    bool load(const std::string& name, const std::string& key, CacheEntry& entry) const
    {
        std::error_code ec;
        if (directory.empty()) return false;
        if (!fs::is_regular_file(file(name), ec) && !fetched(name)) return false;
        try {
            torch::serialize::InputArchive archive;
            archive.load_from(file(name));
            torch::Tensor k, i, f;
            archive.read("key", k);
            archive.read("indices", i);
            archive.read("features", f);
            const std::string stored(reinterpret_cast<const char*>(k.data_ptr<std::uint8_t>()),
                                     std::size_t(k.numel()));
            if (stored != key || i.dim() != 1 || f.dim() != 2 || i.size(0) != f.size(0))
                return false;
            entry = {i, f};
            return true;
        } catch (const c10::Error&) {
            return false;
        }
    }

    void save(const std::string& name, const std::string& key, const CacheEntry& entry) const
    {
        std::error_code ec;
        fs::create_directories(directory, ec);
        const auto path = file(name);
        const auto tmp = path + ".tmp";
        try {
            torch::serialize::OutputArchive archive;
            auto k = torch::empty({std::int64_t(key.size())}, torch::kUInt8);
            std::memcpy(k.data_ptr<std::uint8_t>(), key.data(), key.size());
            archive.write("key", k);
            archive.write("indices", entry.indices);
            archive.write("features", entry.features);
            archive.save_to(tmp);
            fs::rename(tmp, path, ec);
        } catch (const c10::Error&) {
            fs::remove(tmp, ec);
            return;
        }
        if (ec || !mirror.store) return;
        try {
            mirror.store(name + ".pt", path);
        } catch (const std::exception&) { // unshared, still cached here
        }
    }

    // The mirror's copy of entry `name`, written into the folder.
    bool fetched(const std::string& name) const
    {
        if (!mirror.fetch) return false;
        std::error_code ec;
        fs::create_directories(directory, ec);
        try {
            return mirror.fetch(name + ".pt", file(name));
        } catch (const std::exception&) {
            return false;
        }
    }
};

EmbeddingCache::EmbeddingCache(std::string directory, EmbeddingMirror mirror)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->directory = std::move(directory);
    m_impl->mirror = std::move(mirror);
}

EmbeddingCache::~EmbeddingCache() = default;

const std::string& EmbeddingCache::directory() const
{
    return m_impl->directory;
}

int EmbeddingCache::hits() const
{
    return m_impl->hits;
}

EmbeddingCache::Impl& EmbeddingCache::impl()
{
    return *m_impl;
}

torch::Tensor embedWithCache(EmbeddingCache* cache, Embedder& embedder,
                             const data::Dataset& dataset, const std::string& fingerprint,
                             const std::vector<std::int64_t>& indices,
                             const std::function<bool(double)>& progress)
{
    torch::NoGradGuard noGrad;
    if (!cache) return embedder.embed(dataset, indices, progress);
    auto& impl = cache->impl();
    const auto key = embedder.key();
    const auto name = fingerprint + "-" + sha256Hex(key).substr(0, 16);
    auto it = impl.entries.find(name);
    if (it == impl.entries.end()) {
        CacheEntry loaded;
        if (embedder.worthCaching() && impl.load(name, key, loaded))
            it = impl.entries.emplace(name, loaded).first;
    }
    const auto wanted = torch::tensor(indices, torch::kInt64);
    torch::Tensor missing = wanted;
    if (it != impl.entries.end()) {
        const auto& have = it->second.indices;
        const auto pos = torch::searchsorted(have, wanted)
                             .clamp_max(std::max<std::int64_t>(0, have.size(0) - 1));
        const auto found = have.size(0) > 0 ? have.index_select(0, pos).eq(wanted)
                                            : torch::zeros_like(wanted, torch::kBool);
        missing = wanted.index({found.logical_not()});
    }
    if (missing.numel() > 0) {
        missing = std::get<0>(torch::_unique(missing, true));
        std::vector<std::int64_t> list(missing.data_ptr<std::int64_t>(),
                                       missing.data_ptr<std::int64_t>() + missing.numel());
        auto rows = embedder.embed(dataset, list, progress);
        if (!rows.defined()) return {};
        CacheEntry merged{missing, rows};
        if (it != impl.entries.end()) {
            auto all = torch::cat({it->second.indices, missing});
            auto [sorted, order] = all.sort();
            merged = {sorted, torch::cat({it->second.features, rows}).index_select(0, order)};
        }
        impl.entries[name] = merged;
        if (embedder.worthCaching() && !impl.directory.empty()) impl.save(name, key, merged);
        it = impl.entries.find(name);
    } else {
        ++impl.hits;
    }
    const auto& entry = it->second;
    return entry.features.index_select(0, torch::searchsorted(entry.indices, wanted));
}

} // namespace wb::ot
