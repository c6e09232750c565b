#include "stats.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace memcache::bench {

namespace {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace

double Sample::median() const { return median_of(rates); }

double Sample::spread() const {
  const double m = median();
  if (m <= 0) return 0;
  const auto [lo, hi] = std::minmax_element(rates.begin(), rates.end());
  return (*hi - *lo) / m;
}

double paired_ratio(const Sample& a, const Sample& b) {
  std::vector<double> ratios;
  for (std::size_t i = 0; i < a.rates.size() && i < b.rates.size(); ++i) ratios.push_back(a.rates[i] / b.rates[i]);
  return median_of(std::move(ratios));
}

std::string format_rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.2f}M", per_second / 1e6);
  if (per_second >= 1e4) return fmt::format("{:.1f}k", per_second / 1e3);
  if (per_second >= 1e3) return fmt::format("{:.2f}k", per_second / 1e3);
  return fmt::format("{:.0f}", per_second);
}

}  // namespace memcache::bench
