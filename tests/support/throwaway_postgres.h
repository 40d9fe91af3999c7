#pragma once

// A PostgreSQL server for one test process: initdb into a temporary folder, listening on a Unix
// socket inside that folder and on a free loopback TCP port (SSL only there, with a self-signed
// certificate, when openssl is installed), stopped and removed at exit. No system service is
// assumed.
// initdb refuses to run as root (CI runs as root), so there the folder is given to `nobody` and
// the server binaries run as that user through setpriv.

#include "loopback_socket.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <unistd.h>

namespace fixtures {

class ThrowawayPostgres {
public:
    // The process's server, started on first use; nullptr when it cannot start (reason()).
    static ThrowawayPostgres* instance()
    {
        static std::unique_ptr<ThrowawayPostgres> server = start();
        return server && server->m_running ? server.get() : nullptr;
    }
    static std::string& reason()
    {
        static std::string r;
        return r;
    }

    ~ThrowawayPostgres()
    {
        if (m_running) run("pg_ctl -D " + m_data + " -m immediate -w stop");
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }

    // A connection URI to `database` over the server's socket (named after its TCP port).
    std::string uri(const std::string& database, const std::string& password = {}) const
    {
        return "postgresql://wb" + (password.empty() ? "" : ":" + password) + "@/" + database +
               "?host=" + m_dir + "&port=" + std::to_string(m_port);
    }

    // A connection URI to `database` over loopback TCP with libpq's `sslmode`.
    std::string tcpUri(const std::string& database, const std::string& sslmode) const
    {
        return "postgresql://wb@127.0.0.1:" + std::to_string(m_port) + "/" + database +
               "?sslmode=" + sslmode;
    }
    bool hasSsl() const { return m_ssl; }

    // Runs SQL as the superuser in the maintenance database; "" or libpq's error message.
    std::string admin(const std::string& sqlText) const
    {
        PGconn* c = PQconnectdb(uri("postgres").c_str());
        std::string error;
        if (PQstatus(c) != CONNECTION_OK) {
            error = PQerrorMessage(c);
        } else {
            PGresult* r = PQexec(c, sqlText.c_str());
            if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
                error = PQresultErrorMessage(r);
            PQclear(r);
        }
        PQfinish(c);
        return error;
    }

private:
    // Debian's layout; WB_PG_BIN points elsewhere.
    static std::string binaries()
    {
        if (const char* dir = std::getenv("WB_PG_BIN"); dir && *dir) return dir;
        return "/usr/lib/postgresql/15/bin";
    }

    static std::unique_ptr<ThrowawayPostgres> start()
    {
        const auto bin = binaries();
        if (!std::filesystem::exists(bin + "/initdb") ||
            !std::filesystem::exists(bin + "/pg_ctl")) {
            reason() = "no PostgreSQL server binaries in " + bin +
                       " (install the Debian package postgresql: packaging/install-deps.sh)";
            return nullptr;
        }
        std::unique_ptr<ThrowawayPostgres> s(new ThrowawayPostgres);
        char folder[] = "/tmp/wb-pg-XXXXXX"; // short: a socket path has at most 107 bytes
        if (!mkdtemp(folder)) {
            reason() = "cannot create a temporary folder for the server";
            return nullptr;
        }
        s->m_dir = folder;
        s->m_data = s->m_dir + "/data";
        s->m_bin = bin;
        if (geteuid() == 0 && ::chown(folder, 65534, 65534) != 0) {
            reason() = "cannot give " + s->m_dir + " to nobody";
            return nullptr;
        }
        if (!s->run("initdb -D " + s->m_data + " -U wb -A trust -E UTF8 --locale=C --no-sync")) {
            reason() = "initdb failed: " + s->log();
            return nullptr;
        }
        // Trust on the socket, except the role `pwuser` (tests of passwords and PGPASSFILE); on
        // TCP, SSL connections only when the server has a certificate.
        s->m_ssl = s->makeCertificate();
        {
            std::ofstream hba(s->m_data + "/pg_hba.conf", std::ios::trunc);
            hba << "local all pwuser scram-sha-256\nlocal all all trust\n"
                << (s->m_ssl ? "hostssl all all 127.0.0.1/32 trust\n"
                               "hostnossl all all 127.0.0.1/32 reject\n"
                             : "host all all 127.0.0.1/32 trust\n");
        }
        s->m_port = wb::test::freeLoopbackPort();
        // Durability is not wanted from a throwaway server.
        std::string options = "-c listen_addresses='127.0.0.1' -c port=" +
                              std::to_string(s->m_port) + " -c unix_socket_directories='" +
                              s->m_dir + "' -c fsync=off -c full_page_writes=off";
        if (s->m_ssl)
            options += " -c ssl=on -c ssl_cert_file='" + s->m_data +
                       "/server.crt' -c ssl_key_file='" + s->m_data + "/server.key'";
        if (!s->run("pg_ctl -D " + s->m_data + " -l " + s->m_dir + "/server.log -w -o \"" +
                    options + "\" start")) {
            reason() = "the server did not start: " + s->log();
            return nullptr;
        }
        s->m_running = true;
        return s;
    }

    // A self-signed certificate for 127.0.0.1 in the data folder, owned like the server's
    // files; false without openssl.
    bool makeCertificate() const
    {
        const auto line = "cd " + m_data +
                          " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                          "-nodes -days 2 -subj /CN=127.0.0.1 -keyout server.key -out server.crt "
                          ">> " + m_dir + "/setup.log 2>&1 && chmod 600 server.key" +
                          (geteuid() == 0 ? " && chown 65534:65534 server.key server.crt" : "");
        return std::system(line.c_str()) == 0;
    }

    // Runs a server binary (as nobody when we are root) with its output in setup.log.
    bool run(const std::string& command) const
    {
        const std::string user =
            geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups -- " : "";
        const auto line = "cd " + m_dir + " && " + user + m_bin + "/" + command + " >> " + m_dir +
                          "/setup.log 2>&1";
        return std::system(line.c_str()) == 0;
    }

    std::string log() const
    {
        std::ifstream in(m_dir + "/setup.log");
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }

    ThrowawayPostgres() = default;
    std::string m_dir, m_data, m_bin;
    int m_port = 0;
    bool m_ssl = false;
    bool m_running = false;
};

} // namespace fixtures
