#include <cstdio>

int main() {
  std::puts("periscope");
  return 0;
}
