// Just enough HTTP/1.1 for this example: read a request line, write a reply.
// A real service would use a proper HTTP library; the point here is the cache.
#ifndef WEB_CACHE_HTTP_HPP
#define WEB_CACHE_HTTP_HPP

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace web_cache {

struct Request {
  std::string method;
  std::string path;  // the target without its query string
};

struct Response {
  int status = 200;
  std::string body;  // always JSON in this service
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The request line of `head` (everything before the blank line), or empty
/// when it is not `METHOD /target HTTP/1.x`. Headers are not needed here.
std::optional<Request> parse_request(std::string_view head);

/// `{"error":"Not Found"}` with the matching status.
Response error_response(int status);

/// The bytes to send. Every reply closes the connection, so the server never
/// has to deal with keep-alive or pipelining.
std::string to_wire(const Response& response);

}  // namespace web_cache

#endif  // WEB_CACHE_HTTP_HPP
