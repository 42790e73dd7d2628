#include "kernel/lib/format.h"
#include <gtest/gtest.h>

TEST(Format, IntegersStringsAndPadding)
{
    char buffer[64];
    format(buffer, sizeof buffer, "%d|%5u|%-4s|%08lx|%c", -42, 7u, "ab", 0xbeefUL, 'z');
    EXPECT_STREQ(buffer, "-42|    7|ab  |0000beef|z");
}

TEST(Format, TruncatesButReportsFullLength)
{
    char buffer[4];
    int n = format(buffer, sizeof buffer, "%s", "hello");
    EXPECT_EQ(n, 5);
    EXPECT_STREQ(buffer, "hel");
}

TEST(Format, NegativeZeroPadded)
{
    char buffer[16];
    format(buffer, sizeof buffer, "%05d", -3);
    EXPECT_STREQ(buffer, "-0003");
}

TEST(Format, Octal)
{
    char buffer[16];
    format(buffer, sizeof buffer, "%04o|%o", 022u, 0755u);
    EXPECT_STREQ(buffer, "0022|755");
}
