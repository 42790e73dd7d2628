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

TEST(Format, AlternateForm)
{
    // '#' was once not understood: the arguments after it were read as the wrong types.
    char buffer[48];
    format(buffer, sizeof buffer, "%#lx|%#x|%#o|%#x|%s", 0x3d0f00ul, 0xabu, 0755u, 0u, "end");
    EXPECT_STREQ(buffer, "0x3d0f00|0xab|0755|0|end");
}
