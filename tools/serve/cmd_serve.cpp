// askalike serve: the similar-questions web service and its page.
#include <askalike/askalike.hpp>
#include <httplib.h>

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../cli.hpp"
#include "../queries.hpp"
#include "guarded_server.hpp"
#include "service.hpp"

namespace askalike::cli {

namespace {

struct Address {
  std::string host;
  int port = 0;
};

// "HOST:PORT", "[IPV6]:PORT" or ":PORT" (loopback).
Address parse_listen(const Command& cmd, const std::string& text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) cmd.usage_error("--listen is HOST:PORT, not '" + text + "'");
  Address a;
  a.host = text.substr(0, colon);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  if (a.host.empty()) a.host = "127.0.0.1";
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535)
    cmd.usage_error("--listen wants a port within 0..65535 (0: any free port), not '" + port + "'");
  a.port = std::stoi(port);
  return a;
}

// The token: the file's first line ("-": standard input), checked by
// write_token_from_line (service.hpp).
std::string read_token(const Command& cmd, const std::string& path) {
  std::string line;
  const std::string where = path == "-" ? std::string("on stdin") : "in " + path;
  if (path == "-") {
    std::getline(std::cin, line);
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
      throw Error(ErrorCode::kIO, path + " is a directory, not a write token file");
    std::ifstream in(path);
    if (!in) throw Error(ErrorCode::kIO, path + ": cannot read the write token file");
    std::getline(in, line);
    if (in.bad()) throw Error(ErrorCode::kIO, path + ": cannot read the write token file");
  }
  std::string problem;
  std::string token = serve::write_token_from_line(std::move(line), where, problem);
  if (!problem.empty()) cmd.usage_error(problem);
  return token;
}

// Seconds as given on the command line, checked.
double seconds_option(const Command& cmd, const std::string& name, double min) {
  double s = cmd.get<double>(name);
  if (!std::isfinite(s) || s < min || s > 3600)
    cmd.usage_error("--" + name + " must be a number of seconds within " + std::to_string(min).substr(0, 4) +
                    "..3600");
  return s;
}

}  // namespace

int cmd_serve(const std::vector<std::string>& args) {
  Command cmd("serve", "askalike serve -d DB [--listen 127.0.0.1:8080] [--threads N] [--write-token-file FILE]",
              "Serves similar-question searches over HTTP as JSON (the API is described at\n"
              "GET /v1/openapi.json) and a page at GET / to try them. It follows the\n"
              "database: commits by any process show without a restart. Writes (POST and\n"
              "DELETE /v1/records) need --write-token-file and the header\n"
              "'Authorization: Bearer TOKEN'. Stops on Ctrl-C or SIGTERM.");
  serve::Limits limits;
  cmd.options().add_options()
      ("listen", po::value<std::string>()->default_value("127.0.0.1:8080")->value_name("HOST:PORT"),
       "address to listen on (port 0: any free port; the address is printed); loopback by default, "
       "anything else exposes the service to the network")
      ("threads", po::value<unsigned>()->default_value(16)->value_name("N"),
       "requests served at once (a connection holds a thread only from its whole request head "
       "to the end of its answer)")
      ("write-token-file", po::value<std::string>()->value_name("FILE"),
       "enable writes for clients sending this token (first line of FILE, 16+ visible ASCII characters; - for stdin)")
      ("reload-interval", po::value<double>()->default_value(0.5)->value_name("S"),
       "check for new commits every S seconds")
      ("max-k", po::value<std::size_t>()->default_value(limits.max_k)->value_name("N"), "largest k a request may ask")
      ("max-offset", po::value<std::size_t>()->default_value(limits.max_offset)->value_name("N"),
       "largest offset a request may ask")
      ("max-body-bytes", po::value<std::size_t>()->default_value(limits.max_body_bytes)->value_name("N"),
       "largest request body (413 above)")
      ("max-connections", po::value<std::size_t>()->value_name("N"),
       "connections open at once (a slow or idle one holds no thread); more are answered 503 and closed "
       "(default: 4096, or what the open-file limit allows)")
      ("request-timeout", po::value<double>()->default_value(10)->value_name("S"),
       "drop a client whose request head and body have not all arrived S seconds after it began, "
       "however steadily it sends (the head: at most 16 KB and 100 header fields, else 431)")
      ("read-timeout", po::value<double>()->default_value(5)->value_name("S"),
       "drop a client that sends nothing for S seconds in the middle of a request")
      ("write-timeout", po::value<double>()->default_value(5)->value_name("S"),
       "drop a client that reads nothing of its answer for S seconds")
      ("idle-timeout", po::value<double>()->default_value(5)->value_name("S"),
       "close a connection that starts no request for S seconds");
  add_searcher_options(cmd.options());
  if (!cmd.parse(args)) return kExitOk;

  const Address address = parse_listen(cmd, cmd.get<std::string>("listen"));
  const unsigned threads = cmd.get<unsigned>("threads");
  if (threads == 0 || threads > 1024) cmd.usage_error("--threads must be within 1..1024");
  limits.max_k = cmd.get<std::size_t>("max-k");
  limits.max_offset = cmd.get<std::size_t>("max-offset");
  limits.max_body_bytes = cmd.get<std::size_t>("max-body-bytes");
  if (limits.max_k == 0 || limits.max_k > 100000) cmd.usage_error("--max-k must be within 1..100000");
  if (limits.max_body_bytes < 1024) cmd.usage_error("--max-body-bytes must be at least 1024");
  serve::ServiceOptions options;
  options.db = cmd.db();
  options.limits = limits;
  options.searcher = searcher_options_from(cmd);
  options.reload_interval =
      std::chrono::milliseconds(static_cast<long>(seconds_option(cmd, "reload-interval", 0.01) * 1000));
  const double read_timeout = seconds_option(cmd, "read-timeout", 0.01);
  const double write_timeout = seconds_option(cmd, "write-timeout", 0.01);
  const double idle_timeout = seconds_option(cmd, "idle-timeout", 1);
  serve::ConnectionLimits connections;
  connections.threads = threads;
  // Each connection is an open file: raise the soft limit as far as allowed.
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  getrlimit(RLIMIT_NOFILE, &files);
  const std::size_t spare = 128;  // the database's files, the listener, ...
  const std::size_t allowed = files.rlim_cur > spare * 2 ? files.rlim_cur - spare : spare;
  connections.max_connections =
      cmd.has("max-connections") ? cmd.get<std::size_t>("max-connections") : std::min<std::size_t>(4096, allowed);
  if (connections.max_connections < 1 || connections.max_connections > allowed)
    cmd.usage_error("--max-connections must be within 1.." + std::to_string(allowed) +
                    " (the open-file limit, ulimit -n, less " + std::to_string(spare) + ")");
  auto ms = [](double s) { return std::chrono::milliseconds(static_cast<long>(s * 1000)); };
  connections.request_timeout = ms(seconds_option(cmd, "request-timeout", 0.01));
  connections.read_timeout = ms(read_timeout);
  connections.write_timeout = ms(write_timeout);
  connections.idle_timeout = ms(idle_timeout);
  if (cmd.has("write-token-file")) options.write_token = read_token(cmd, cmd.get<std::string>("write-token-file"));

  // Ctrl-C and SIGTERM are taken by one thread that stops the server: blocked
  // here, before any thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the service

  serve::Service service(options);
  // Reads each connection itself, within `connections` (its timeouts too).
  serve::GuardedServer server(connections);
  server.set_keep_alive_timeout(static_cast<time_t>(idle_timeout));  // as the Keep-Alive header says
  // httplib closes a kept-alive connection after 5 requests by default: a
  // client making many searches would pay a new connection every 5.
  server.set_keep_alive_max_count(1000);
  // An answer goes out in two writes (headers, body): with Nagle's algorithm
  // the second waits for the client's delayed ACK, 40 ms a request.
  server.set_tcp_nodelay(true);
  service.install(server);

  int port = address.port;
  if (port == 0) {
    port = server.bind_to_any_port(address.host);
    if (port < 0) throw Error(ErrorCode::kIO, "cannot listen on " + address.host + " (any port)");
  } else if (!server.bind_to_port(address.host, port)) {
    throw Error(ErrorCode::kIO, "cannot listen on " + address.host + ":" + std::to_string(port) +
                                    " (in use, or not an address of this machine)");
  }
  const bool ipv6 = address.host.find(':') != std::string::npos;
  const std::string url = "http://" + (ipv6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(port) + "/";
  std::cout << "askalike serve: listening on " << url << " (" << options.db << ": " << service.documents()
            << " records, revision " << service.revision() << "; writes "
            << (options.write_token.empty() ? "disabled" : "enabled with the token") << ")" << std::endl;
  if (address.host != "127.0.0.1" && address.host != "localhost" && address.host != "::1")
    print_error("warning: listening on " + address.host + ", not loopback: other machines can reach the service");

  std::thread stopper([&server, stop_signals] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server.stop();
  });
  const bool ok = server.listen_after_bind();
  if (!ok) {  // stopped other than by a signal: release the stopping thread
    pthread_kill(stopper.native_handle(), SIGTERM);
  }
  stopper.join();
  std::cout << "askalike serve: stopped" << std::endl;
  return ok ? kExitOk : kExitError;
}

}  // namespace askalike::cli
