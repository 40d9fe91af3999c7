#include "wb/common/atomic_file.h"

#include "wb/common/error.h"

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace wb {

void writeFileAtomically(const std::string& path, std::string_view bytes)
{
    const auto part = path + ".part";
    {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(path + ": cannot create the file");
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::error_code ec;
            fs::remove(part, ec);
            throw Error(path + ": write failed (disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(part, path, ec);
    if (ec) {
        fs::remove(part, ec);
        throw Error(path + ": cannot move the file into place: " + ec.message());
    }
}

} // namespace wb
