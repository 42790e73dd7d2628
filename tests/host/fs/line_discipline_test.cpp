// The terminal line discipline on its own: editing keys, echo, signals, EOF, raw mode,
// output processing, and refusing modes it does not honour. (SIGINT and the others come from
// the host's <signal.h>, through gtest: the numbers are the same.)
#include "kernel/fs/line_discipline.h"
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

struct Terminal {
    LineDiscipline line;
    std::string screen;
    std::vector<int> signals;

    void type(std::string const& keys)
    {
        auto echo = [&](u8 const* bytes, usize n) { screen.append(reinterpret_cast<char const*>(bytes), n); };
        auto signal = [&](int s) { signals.push_back(s); };
        LineDiscipline::Sink sink { echo, signal };
        for (char c : keys)
            line.receive(static_cast<u8>(c), sink);
    }
    std::string read(usize count = 256)
    {
        u8 buffer[256];
        usize n = line.read(buffer, count);
        return std::string(reinterpret_cast<char*>(buffer), n);
    }
};

}

TEST(LineDisciplineTest, CanonicalModeGivesWholeLinesAndEchoesThemWithCrLf)
{
    Terminal t;
    t.type("ls");
    EXPECT_EQ(t.line.readable(), 0u); // not a line yet
    t.type("\r"); // Enter sends CR: ICRNL makes it a newline
    EXPECT_EQ(t.screen, "ls\r\n");
    t.type("pwd\n");
    EXPECT_EQ(t.read(), "ls\n"); // one line per read
    EXPECT_EQ(t.read(), "pwd\n");
    EXPECT_EQ(t.line.readable(), 0u);
}

TEST(LineDisciplineTest, EraseWordEraseAndKillEditTheLineOnScreenToo)
{
    Terminal t;
    t.type("cat\x7f\x7fp"); // DEL twice: "c", then "cp"
    EXPECT_EQ(t.screen, "cat\b \b\b \bp");
    t.type(" one two\x17"); // ^W takes "two"
    t.type("\x15"); // ^U takes the rest
    t.type("echo hi\n");
    EXPECT_EQ(t.read(), "echo hi\n");
}

TEST(LineDisciplineTest, ControlCharactersEchoAsCaretAndEraseTwoColumns)
{
    Terminal t;
    t.type("a\x01");
    EXPECT_EQ(t.screen, "a^A");
    t.type("\x7f");
    EXPECT_EQ(t.screen, "a^A\b \b\b \b");
}

TEST(LineDisciplineTest, InterruptQuitAndSuspendBecomeSignalsAndFlushTheLine)
{
    Terminal t;
    t.type("sleep 100\x03");
    EXPECT_EQ(t.signals, std::vector<int>({ SIGINT }));
    EXPECT_EQ(t.screen, "sleep 100^C");
    t.type("\x1c\x1a");
    EXPECT_EQ(t.signals, std::vector<int>({ SIGINT, SIGQUIT, SIGTSTP }));
    t.type("\n");
    EXPECT_EQ(t.read(), "\n"); // the interrupted line is gone
}

TEST(LineDisciplineTest, EndOfFileOnAnEmptyLineReadsZeroAndAfterTextEndsTheLine)
{
    Terminal t;
    t.type("abc\x04");
    EXPECT_FALSE(t.line.eof_pending());
    EXPECT_EQ(t.read(), "abc"); // without the ^D, and no newline
    EXPECT_FALSE(t.line.eof_pending()); // the mark went with it
    t.type("\x04");
    EXPECT_TRUE(t.line.eof_pending());
    EXPECT_EQ(t.read(), ""); // end of file
    EXPECT_FALSE(t.line.eof_pending());
    EXPECT_EQ(t.screen, "abc"); // ^D is not echoed
}

TEST(LineDisciplineTest, RawModeHandsOverEveryByteAtOnceWithoutEditing)
{
    Terminal t;
    Termios raw = t.line.termios();
    raw.lflag &= ~(termios_bits::ICANON | termios_bits::ECHO);
    ASSERT_TRUE(t.line.set_termios(raw));
    t.type("q\x7f");
    EXPECT_EQ(t.line.readable(), 2u);
    EXPECT_EQ(t.read(1), "q");
    EXPECT_EQ(t.read(), "\x7f");
    EXPECT_EQ(t.screen, ""); // no echo
}

TEST(LineDisciplineTest, SwitchingToRawModeMakesTheEditLineReadable)
{
    Terminal t;
    t.type("par");
    Termios raw = t.line.termios();
    raw.lflag &= ~termios_bits::ICANON;
    ASSERT_TRUE(t.line.set_termios(raw));
    EXPECT_EQ(t.read(), "par");
}

TEST(LineDisciplineTest, OutputTurnsNewlinesIntoCrLfOnlyWithOpostAndOnlcr)
{
    LineDiscipline line;
    std::string out;
    auto emit = [&](u8 const* bytes, usize n) { out.append(reinterpret_cast<char const*>(bytes), n); };
    line.output(reinterpret_cast<u8 const*>("a\nb\n"), 4, emit);
    EXPECT_EQ(out, "a\r\nb\r\n");
    Termios t = line.termios();
    t.oflag &= ~termios_bits::OPOST;
    ASSERT_TRUE(line.set_termios(t));
    out.clear();
    line.output(reinterpret_cast<u8 const*>("a\n"), 2, emit);
    EXPECT_EQ(out, "a\n");
}

TEST(LineDisciplineTest, ModesItDoesNotHonourAreRefused)
{
    LineDiscipline line;
    Termios t = line.termios();
    t.iflag |= 0x400; // IXON: flow control, not implemented
    EXPECT_FALSE(line.set_termios(t));
    EXPECT_EQ(line.termios().iflag & 0x400, 0u);
    Termios extproc = line.termios();
    extproc.lflag |= 0x10000; // EXTPROC
    EXPECT_FALSE(line.set_termios(extproc));
}

TEST(LineDisciplineTest, TostopIsKeptAndReported)
{
    // The console acts on it (a background writer gets SIGTTOU); the discipline keeps it.
    LineDiscipline line;
    Termios t = line.termios();
    t.lflag |= termios_bits::TOSTOP;
    EXPECT_TRUE(line.set_termios(t));
    EXPECT_TRUE(line.termios().lflag & termios_bits::TOSTOP);
}

TEST(LineDisciplineTest, NoSignalsWithoutIsigAndNoFlushWithNoflsh)
{
    Terminal t;
    Termios modes = t.line.termios();
    modes.lflag |= termios_bits::NOFLSH;
    ASSERT_TRUE(t.line.set_termios(modes));
    t.type("keep\x03\n");
    EXPECT_EQ(t.read(), "keep\n");
    modes.lflag &= ~termios_bits::ISIG;
    ASSERT_TRUE(t.line.set_termios(modes));
    t.type("\x03\n");
    EXPECT_EQ(t.signals.size(), 1u);
    EXPECT_EQ(t.read(), "\x03\n");
}

TEST(LineDisciplineTest, LnextQuotesTheNextKey)
{
    Terminal t;
    t.type("a\x16\x03"); // ^V ^C: a character, not SIGINT
    EXPECT_TRUE(t.signals.empty());
    EXPECT_EQ(t.screen, "a^\b^C"); // "^" then back over it, then the quoted key as ^C
    t.type("\x16\x7f"
           "b\x16\x16\r"); // a quoted DEL does not erase; a quoted ^V is kept
    EXPECT_EQ(t.read(),
        std::string("a\x03\x7f"
                    "b\x16\n"));
    t.type("\x16\r\r"); // a quoted CR is not turned into a newline
    EXPECT_EQ(t.read(), std::string("\r\n"));
}

TEST(LineDisciplineTest, LnextNeedsIexten)
{
    Terminal t;
    Termios modes = t.line.termios();
    modes.lflag &= ~termios_bits::IEXTEN;
    ASSERT_TRUE(t.line.set_termios(modes));
    t.type("\x16\x03");
    EXPECT_EQ(t.signals, std::vector<int> { SIGINT }); // ^V was an ordinary key, then ^C
}

TEST(LineDisciplineTest, ReprintShowsTheLineBeingEditedAgain)
{
    Terminal t;
    t.type("first\r");
    t.screen.clear();
    t.type("ls -l\x7f\x12");
    EXPECT_EQ(t.screen, "ls -l\b \b^R\r\nls -");
    t.type("a\r");
    EXPECT_EQ(t.read(), "first\n");
    EXPECT_EQ(t.read(), "ls -a\n"); // ^R is not part of the line
    Termios quiet = t.line.termios();
    quiet.lflag &= ~termios_bits::ECHO;
    ASSERT_TRUE(t.line.set_termios(quiet));
    t.type("x\x12\r"); // without ECHO, ^R is an ordinary character
    EXPECT_EQ(t.read(), "x\x12\n");
}
