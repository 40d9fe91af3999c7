#include "wb/suite/package_cache.h"

#include "wb/common/error.h"
#include "wb/suite/process.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace wb::suite {

namespace {

// Debian package names: lowercase letters, digits and + - . _. Checked so a name can never be
// read as an option by the tools it is passed to.
bool validPackageName(const std::string& name)
{
    if (name.empty() || name.size() > 214 || !std::isalnum(static_cast<unsigned char>(name[0])))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
               c == '.' || c == '_';
    });
}

std::string trim(const std::string& text)
{
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string readText(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A temporary sibling path unique to this process.
fs::path temporaryBeside(const fs::path& dir, const std::string& stem)
{
    return dir / (".tmp-" + stem + "-" + std::to_string(getpid()));
}

// Regular files under root (links skipped: in an unpacked package they point into other
// packages or at absolute paths), relative, sorted.
std::vector<std::string> listFiles(const fs::path& root)
{
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
         ++it) {
        if (it->is_symlink() || !it->is_regular_file()) continue;
        files.push_back(fs::relative(it->path(), root).generic_string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// The newest-named file in dir whose name starts with prefix and ends with suffix; empty if none.
fs::path findCached(const fs::path& dir, const std::string& prefix, const std::string& suffix)
{
    if (!fs::is_directory(dir)) return {};
    std::vector<fs::path> matches;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_regular_file() || !name.starts_with(prefix) || !name.ends_with(suffix))
            continue;
        matches.push_back(entry.path());
    }
    if (matches.empty()) return {};
    std::sort(matches.begin(), matches.end());
    return matches.back();
}

// The only file in dir with the given suffix (a fresh download folder holds exactly one).
fs::path singleFile(const fs::path& dir, const std::string& suffix, const std::string& what)
{
    fs::path found;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file() || !entry.path().filename().string().ends_with(suffix))
            continue;
        if (!found.empty()) throw Error(what + ": more than one " + suffix + " file downloaded");
        found = entry.path();
    }
    if (found.empty()) throw Error(what + ": no " + suffix + " file was downloaded");
    return found;
}

ProcessResult runChecked(const std::vector<std::string>& argv, const fs::path& cwd,
                         const std::string& what)
{
    ProcessResult result;
    try {
        result = runProcess(argv, cwd);
    } catch (const Error& error) {
        throw Error(what + ": " + error.what());
    }
    if (result.exitCode != 0) {
        std::string command;
        for (const std::string& arg : argv)
            command += (command.empty() ? "" : " ") + arg;
        throw Error(what + ": '" + command + "' failed (exit " + std::to_string(result.exitCode) +
                    "): " + outputTail(result.output));
    }
    return result;
}

// Runs `argv` (a download command) in an empty temporary folder beside `dir`, moves the one
// `suffix` file it leaves into `dir` and returns its path; the temporary folder never stays.
fs::path downloadInto(const fs::path& dir, const std::string& name,
                      const std::vector<std::string>& argv, const std::string& suffix,
                      const std::string& what)
{
    fs::create_directories(dir);
    const fs::path temporary = temporaryBeside(dir, name);
    fs::remove_all(temporary);
    fs::create_directories(temporary);
    try {
        runChecked(argv, temporary, what);
        const fs::path downloaded = singleFile(temporary, suffix, what);
        const fs::path target = dir / downloaded.filename();
        fs::rename(downloaded, target);
        fs::remove_all(temporary);
        return target;
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw;
    }
}

// Unpacks a .deb into cache/x/<stem> through a temporary folder; returns the folder.
fs::path unpack(const fs::path& cacheDir, const fs::path& archive, const std::string& what)
{
    const fs::path xDir = cacheDir / "x";
    const std::string stem = archive.stem().string();
    const fs::path target = xDir / stem;
    if (fs::is_directory(target)) return target;
    fs::create_directories(xDir);
    const fs::path temporary = temporaryBeside(xDir, stem);
    fs::remove_all(temporary);
    fs::create_directories(temporary);
    try {
        runChecked({"dpkg-deb", "-x", archive.string(), temporary.string()}, {}, what);
        fs::rename(temporary, target);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(temporary, ignored);
        throw;
    }
    return target;
}

} // namespace

std::vector<std::string> parseDebianLicences(const std::string& copyrightText)
{
    std::vector<std::string> licences;
    std::istringstream lines(copyrightText);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.starts_with("License:")) continue;
        const std::string name = trim(line.substr(8));
        if (!name.empty() && std::find(licences.begin(), licences.end(), name) == licences.end())
            licences.push_back(name);
    }
    return licences;
}

PackageCache::PackageCache(fs::path dir, Log log) : m_dir(std::move(dir)), m_log(std::move(log)) {}

void PackageCache::log(const std::string& line) const
{
    if (m_log) m_log(line);
}

const PackageFiles& PackageCache::deb(const std::string& name)
{
    const std::string key = "deb:" + name;
    if (const auto it = m_resolved.find(key); it != m_resolved.end()) return it->second;
    if (const auto it = m_failed.find(key); it != m_failed.end()) throw Error(it->second);
    try {
        return m_resolved.emplace(key, fetchDeb(name)).first->second;
    } catch (const Error& error) {
        m_failed.emplace(key, error.what());
        throw;
    } catch (const fs::filesystem_error& error) {
        m_failed.emplace(key, "Debian package " + name + ": " + error.what());
        throw Error(m_failed.at(key));
    }
}

PackageFiles PackageCache::fetchDeb(const std::string& name)
{
    const std::string what = "Debian package " + name;
    if (!validPackageName(name)) throw Error(what + ": not a valid package name");
    PackageFiles package;
    package.name = name;
    package.kind = "deb";

    const fs::path debsDir = m_dir / "debs";
    // '_' cannot occur in a Debian package name, so "NAME_" never matches a longer name.
    fs::path deb = findCached(debsDir, name + "_", ".deb");
    if (!deb.empty()) {
        package.origin = "cache";
    } else {
        // Installed on this machine: read the installed files rather than download a copy.
        ProcessResult query;
        try {
            query = runProcess({"dpkg-query", "-W", "-f=${db:Status-Status}\t${Version}", name});
        } catch (const Error&) {
            query.exitCode = -1; // no dpkg-query: nothing is installed the Debian way
        }
        if (query.exitCode == 0 && query.output.starts_with("installed\t")) {
            package.version = trim(query.output.substr(10));
            package.origin = "installed";
            package.root = "/";
            const ProcessResult list = runChecked({"dpkg-query", "-L", name}, {}, what);
            std::istringstream lines(list.output);
            std::string line;
            while (std::getline(lines, line)) {
                line = trim(line);
                if (line.empty() || line[0] != '/') continue;
                const fs::path file(line);
                std::error_code ec;
                if (fs::is_symlink(file, ec) || !fs::is_regular_file(file, ec)) continue;
                package.files.push_back(line.substr(1));
            }
            std::sort(package.files.begin(), package.files.end());
        } else {
            log("fetching Debian package " + name + " (apt-get download)");
            deb = downloadInto(debsDir, name, {"apt-get", "download", "-q", name}, ".deb", what);
            package.origin = "downloaded";
        }
    }
    if (!deb.empty()) {
        const ProcessResult fields =
            runChecked({"dpkg-deb", "-f", deb.string(), "Package", "Version"}, {}, what);
        std::istringstream lines(fields.output);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.starts_with("Package:") && trim(line.substr(8)) != name)
                throw Error(what + ": " + deb.string() + " holds package " + trim(line.substr(8)));
            if (line.starts_with("Version:")) package.version = trim(line.substr(8));
        }
        if (package.version.empty()) throw Error(what + ": " + deb.string() + " has no version");
        package.root = unpack(m_dir, deb, what);
        package.files = listFiles(package.root);
    }

    const std::string copyright = "usr/share/doc/" + name + "/copyright";
    if (std::binary_search(package.files.begin(), package.files.end(), copyright)) {
        package.licenceFile = copyright;
        package.licences = parseDebianLicences(readText(package.root / copyright));
    }
    log("  " + name + " " + package.version + " (" + package.origin + ", " +
        std::to_string(package.files.size()) + " files)");
    return package;
}

} // namespace wb::suite
