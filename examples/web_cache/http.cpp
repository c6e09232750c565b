#include "http.hpp"

namespace web_cache {
namespace {

std::string_view reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    default:
      return "Internal Server Error";
  }
}

// Splits off the text before the first `sep`; `rest` keeps what follows.
std::string_view take(std::string_view& rest, char sep) {
  auto end = rest.find(sep);
  auto word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
  return word;
}

}  // namespace

std::optional<Request> parse_request(std::string_view head) {
  std::string_view line = head.substr(0, head.find("\r\n"));
  auto method = take(line, ' ');
  auto target = take(line, ' ');
  auto version = line;
  if (method.empty() || target.empty() || target.front() != '/' || version.substr(0, 7) != "HTTP/1.") {
    return std::nullopt;
  }
  return Request{std::string(method), std::string(target.substr(0, target.find('?')))};
}

Response error_response(int status) {
  return Response{status, "{\"error\":\"" + std::string(reason(status)) + "\"}", {}};
}

std::string to_wire(const Response& response) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + std::string(reason(response.status)) + "\r\n";
  out += "Content-Type: application/json\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += "Connection: close\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  return out + response.body;
}

}  // namespace web_cache
