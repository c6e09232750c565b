#include "slow_database.hpp"

#include <thread>

namespace web_cache {

std::string load_user(std::string_view id) {
  std::this_thread::sleep_for(database_delay);
  std::string user(id);
  return "{\"id\":\"" + user + "\",\"name\":\"user-" + user + "\"}";
}

}  // namespace web_cache
