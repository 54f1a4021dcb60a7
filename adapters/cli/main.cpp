#include <cstdio>
int main() { std::puts("ticketbridge " TB_VERSION); }
