#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace wb::suite {

// The files of one source package as the suite builder sees them.
struct PackageFiles {
    std::string name;
    std::string version;
    std::string kind;   // "deb"
    std::string origin; // "cache", "downloaded" or "installed" (for the log; output ignores it)
    std::filesystem::path root;        // files are relative to it
    std::vector<std::string> files;    // regular files (no links), sorted, relative to root
    std::vector<std::string> licences; // licence names from the package's own metadata
    std::string licenceFile;           // relative to root, empty when the package has none
};

// Fetches Debian source packages into a cache folder without installing them:
//   <cache>/debs/NAME_VERSION_ARCH.deb   (apt-get download), unpacked by dpkg-deb -x into
//   <cache>/x/NAME_VERSION_ARCH/.
// A package already in the cache is used as it is (no network); a Debian package not in the cache
// but installed on the system is read from its installed files (dpkg-query -L), so nothing is
// downloaded twice. Downloads and unpacking go to temporary folders renamed into place, so an
// interrupted build never leaves a half package. Results are memoised per name. One thread.
class PackageCache {
public:
    using Log = std::function<void(const std::string&)>;
    PackageCache(std::filesystem::path dir, Log log);

    // Throws wb::Error with a message naming the package and what failed.
    const PackageFiles& deb(const std::string& name);

    const std::filesystem::path& dir() const { return m_dir; }

private:
    PackageFiles fetchDeb(const std::string& name);
    void log(const std::string& line) const;

    std::filesystem::path m_dir;
    Log m_log;
    std::map<std::string, PackageFiles> m_resolved; // key: kind + ":" + name
    std::map<std::string, std::string> m_failed;    // the same key -> error message
};

// Licence names from a Debian machine-readable copyright file (its "License:" fields, in order of
// first appearance, duplicates removed); empty for free-form files.
std::vector<std::string> parseDebianLicences(const std::string& copyrightText);

} // namespace wb::suite
