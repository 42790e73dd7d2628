// Initial stack image: read back the way a C runtime's _start does (argc at rsp, then argv,
// envp and auxv), translating user addresses into the buffer.
#include "kernel/proc/initial_stack.h"
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

constexpr u64 STACK_TOP = 0x7fff'ffff'f000;

// A built stack plus helpers to read it at user addresses.
struct Stack {
    std::vector<u8> buffer;
    InitialStack info {};

    u8 const* at(u64 address) const
    {
        EXPECT_GE(address, info.rsp);
        EXPECT_LT(address, STACK_TOP);
        return buffer.data() + (address - info.rsp);
    }
    u64 word(u64 address) const
    {
        u64 value;
        std::memcpy(&value, at(address), 8);
        return value;
    }
    std::string string(u64 address) const { return reinterpret_cast<char const*>(at(address)); }

    u64 argc() const { return word(info.rsp); }
    std::vector<std::string> argv() const { return strings(info.rsp + 8); }
    std::vector<std::string> envp() const { return strings(info.rsp + 8 * (argc() + 2)); }
    // Like getauxval(): walks past envp's NULL, then the (key, value) pairs.
    bool aux(AuxKey key, u64& value) const
    {
        u64 p = info.rsp + 8 * (argc() + 2);
        while (word(p) != 0)
            p += 8;
        for (p += 8; word(p) != 0; p += 16) {
            if (word(p) == u64(key)) {
                value = word(p + 8);
                return true;
            }
        }
        return false;
    }
    u64 aux(AuxKey key) const
    {
        u64 value = 0;
        EXPECT_TRUE(aux(key, value)) << "missing aux key " << u64(key);
        return value;
    }

private:
    std::vector<std::string> strings(u64 p) const
    {
        std::vector<std::string> out;
        for (; word(p) != 0; p += 8)
            out.push_back(string(word(p)));
        return out;
    }
};

AuxValues sample_aux()
{
    AuxValues aux {};
    aux.phdr = 0x400040;
    aux.phent = 56;
    aux.phnum = 9;
    aux.entry = 0x401000;
    aux.hwcap = 0x178bfbff;
    return aux;
}

u8 const RANDOM[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

Result<InitialStack> build_into(Stack& stack, std::vector<std::string> const& args, std::vector<std::string> const& env,
    char const* execfn = "/bin/prog", u64 capacity = 4 * MiB, u64 stack_top = STACK_TOP)
{
    std::vector<char const*> argv, envp;
    for (auto const& s : args)
        argv.push_back(s.c_str());
    for (auto const& s : env)
        envp.push_back(s.c_str());
    stack.buffer.assign(capacity, 0xcc);
    AuxValues aux = sample_aux();
    auto result = build_initial_stack(stack_top, StringList { argv.data(), argv.size() }, StringList { envp.data(), envp.size() },
        aux, RANDOM, execfn, stack.buffer.data(), capacity);
    if (!result.is_error()) {
        stack.info = result.value();
        stack.buffer.resize(stack.info.size);
    }
    return result;
}

void build(Stack& stack, std::vector<std::string> const& args, std::vector<std::string> const& env)
{
    auto result = build_into(stack, args, env);
    ASSERT_FALSE(result.is_error()) << errno_name(result.error());
}

} // namespace

TEST(InitialStack, CRuntimeView)
{
    Stack s;
    build(s, { "prog", "-v", "file" }, { "HOME=/", "PATH=/bin" });
    EXPECT_EQ(s.info.rsp % 16, 0u);
    EXPECT_EQ(s.info.rsp + s.info.size, STACK_TOP);
    EXPECT_EQ(s.argc(), 3u);
    EXPECT_EQ(s.info.argc, 3u);
    EXPECT_EQ(s.argv(), (std::vector<std::string> { "prog", "-v", "file" }));
    EXPECT_EQ(s.envp(), (std::vector<std::string> { "HOME=/", "PATH=/bin" }));

    EXPECT_EQ(s.aux(AuxKey::PageSize), 4096u);
    EXPECT_EQ(s.aux(AuxKey::Phdr), 0x400040u);
    EXPECT_EQ(s.aux(AuxKey::Phent), 56u);
    EXPECT_EQ(s.aux(AuxKey::Phnum), 9u);
    EXPECT_EQ(s.aux(AuxKey::Entry), 0x401000u);
    EXPECT_EQ(s.aux(AuxKey::Base), 0u);
    EXPECT_EQ(s.aux(AuxKey::Flags), 0u);
    EXPECT_EQ(s.aux(AuxKey::Uid), 0u);
    EXPECT_EQ(s.aux(AuxKey::Euid), 0u);
    EXPECT_EQ(s.aux(AuxKey::Gid), 0u);
    EXPECT_EQ(s.aux(AuxKey::Egid), 0u);
    EXPECT_EQ(s.aux(AuxKey::Secure), 0u);
    EXPECT_EQ(s.aux(AuxKey::ClockTick), 100u);
    EXPECT_EQ(s.aux(AuxKey::Hwcap), 0x178bfbffu);
    EXPECT_EQ(s.string(s.aux(AuxKey::ExecFn)), "/bin/prog");
    EXPECT_EQ(s.string(s.aux(AuxKey::Platform)), "x86_64");
    EXPECT_EQ(std::memcmp(s.at(s.aux(AuxKey::Random)), RANDOM, 16), 0);
    u64 unused;
    EXPECT_FALSE(s.aux(AuxKey::SysinfoEhdr, unused)); // no vDSO: the entry is left out
    EXPECT_FALSE(s.aux(AuxKey::MinSigStackSize, unused));
}

TEST(InitialStack, LinuxOrderOfRegions)
{
    Stack s;
    build(s, { "a", "bb" }, { "C=3" });
    u64 random = s.aux(AuxKey::Random);
    u64 platform = s.aux(AuxKey::Platform);
    u64 execfn = s.aux(AuxKey::ExecFn);
    u64 argv0 = s.word(s.info.rsp + 8);
    u64 env0 = s.word(s.info.rsp + 8 * 4);
    // Above the auxv: random < platform < argv strings < envp strings < execfn < top.
    EXPECT_EQ(platform, random + 16);
    EXPECT_LT(platform + 7, argv0 + 1);
    EXPECT_EQ(argv0, s.info.arg_start);
    EXPECT_EQ(s.word(s.info.rsp + 16), argv0 + 2); // "a\0" then "bb\0"
    EXPECT_EQ(s.info.arg_end, argv0 + 5);
    EXPECT_EQ(env0, s.info.env_start);
    EXPECT_EQ(env0, s.info.arg_end);
    EXPECT_EQ(s.info.env_end, env0 + 4);
    EXPECT_EQ(execfn, s.info.env_end);
    EXPECT_EQ(execfn + sizeof("/bin/prog") + 8, STACK_TOP); // 8 zero bytes on top
    EXPECT_EQ(s.word(STACK_TOP - 8), 0u);
    // The platform string sits right under the 16-aligned start of the strings.
    EXPECT_EQ(platform + 7, argv0 & ~u64(15));
    // Padding between the auxv and the random bytes is less than 16 bytes plus a word.
    u64 auxv_end = s.info.rsp;
    for (auxv_end += 8 * (s.argc() + 2); s.word(auxv_end) != 0; auxv_end += 8) { }
    for (auxv_end += 8; s.word(auxv_end) != 0; auxv_end += 16) { }
    auxv_end += 16; // past AT_NULL's pair
    EXPECT_LE(auxv_end, random);
    EXPECT_LT(random - auxv_end, 16u);
}

TEST(InitialStack, AuxOrderMatchesLinux)
{
    Stack s;
    build(s, { "x" }, {});
    u64 p = s.info.rsp + 8 * 4; // argc, argv[0], NULL, envp NULL
    std::vector<u64> keys;
    for (; s.word(p) != 0; p += 16)
        keys.push_back(s.word(p));
    std::vector<u64> expected = { 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15 };
    EXPECT_EQ(keys, expected);
}

TEST(InitialStack, SysinfoEhdrWhenGiven)
{
    std::vector<u8> buffer(64 * KiB);
    char const* argv[] = { "x" };
    AuxValues aux = sample_aux();
    aux.sysinfo_ehdr = 0x7fff'f7ff'd000;
    aux.min_signal_stack = 3632;
    auto result = build_initial_stack(STACK_TOP, { argv, 1 }, { nullptr, 0 }, aux, RANDOM, "x", buffer.data(), buffer.size());
    ASSERT_FALSE(result.is_error());
    Stack s;
    s.info = result.value();
    s.buffer.assign(buffer.begin(), buffer.begin() + s.info.size);
    EXPECT_EQ(s.word(s.info.rsp + 32), u64(AuxKey::SysinfoEhdr)); // first, as ARCH_DLINFO puts it
    EXPECT_EQ(s.aux(AuxKey::SysinfoEhdr), 0x7fff'f7ff'd000u);
    EXPECT_EQ(s.word(s.info.rsp + 48), u64(AuxKey::MinSigStackSize)); // second
    EXPECT_EQ(s.aux(AuxKey::MinSigStackSize), 3632u);
}

TEST(InitialStack, AlignmentForEveryStringLength)
{
    // rsp must be 16-aligned whatever the sizes; vary them to cover every remainder.
    for (int args = 1; args <= 4; ++args) {
        for (size_t len = 0; len < 40; ++len) {
            Stack s;
            std::vector<std::string> argv(args, std::string(len, 'a'));
            build(s, argv, { std::string(len / 2, 'e') });
            EXPECT_EQ(s.info.rsp % 16, 0u) << args << " args of length " << len;
            EXPECT_EQ(s.argc(), u64(args));
            EXPECT_EQ(s.argv(), argv);
        }
    }
}

TEST(InitialStack, EmptyStringsAndEmptyEnvironment)
{
    Stack s;
    build(s, { "", "x", "" }, { "" });
    EXPECT_EQ(s.argv(), (std::vector<std::string> { "", "x", "" }));
    EXPECT_EQ(s.envp(), (std::vector<std::string> { "" }));

    Stack t;
    build(t, { "prog" }, {});
    EXPECT_TRUE(t.envp().empty());
    EXPECT_EQ(t.info.env_start, t.info.env_end);
}

TEST(InitialStack, EmptyArgvGetsEmptyArgv0)
{
    Stack s;
    build(s, {}, { "A=1" });
    EXPECT_EQ(s.argc(), 1u);
    EXPECT_EQ(s.argv(), (std::vector<std::string> { "" }));
    EXPECT_EQ(s.envp(), (std::vector<std::string> { "A=1" }));
}

TEST(InitialStack, HundredArguments)
{
    std::vector<std::string> args, env;
    for (int i = 0; i < 100; ++i)
        args.push_back("arg" + std::to_string(i));
    for (int i = 0; i < 30; ++i)
        env.push_back("VAR" + std::to_string(i) + "=" + std::string(i, 'v'));
    Stack s;
    build(s, args, env);
    EXPECT_EQ(s.info.rsp % 16, 0u);
    EXPECT_EQ(s.argv(), args);
    EXPECT_EQ(s.envp(), env);
    EXPECT_EQ(s.string(s.aux(AuxKey::ExecFn)), "/bin/prog");
}

TEST(InitialStack, StringLengthLimit)
{
    Stack s;
    std::string longest(EXEC_MAX_STRING_LENGTH - 1, 'x'); // with its NUL: exactly the limit
    build(s, { "p", longest }, {});
    EXPECT_EQ(s.argv()[1].size(), longest.size());

    std::string too_long(EXEC_MAX_STRING_LENGTH, 'x');
    auto result = build_into(s, { "p", too_long }, {});
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::ArgListTooBig);
    auto in_env = build_into(s, { "p" }, { too_long });
    ASSERT_TRUE(in_env.is_error());
    EXPECT_EQ(in_env.error(), Errno::ArgListTooBig);
    auto as_execfn = build_into(s, { "p" }, {}, too_long.c_str());
    ASSERT_TRUE(as_execfn.is_error());
    EXPECT_EQ(as_execfn.error(), Errno::ArgListTooBig);
}

TEST(InitialStack, TotalSizeLimit)
{
    // 16 strings of 128 KiB (with NUL) are exactly 2 MiB: with pointers and execfn, too big.
    std::vector<std::string> args(16, std::string(EXEC_MAX_STRING_LENGTH - 1, 'y'));
    Stack s;
    auto result = build_into(s, args, {}, "/p", 4 * MiB);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::ArgListTooBig);
    // 15 of them fit.
    args.pop_back();
    auto ok = build_into(s, args, {}, "/p", 4 * MiB);
    EXPECT_FALSE(ok.is_error());
    // Many tiny strings: the pointers count too.
    std::vector<std::string> many(EXEC_ARG_SPACE_LIMIT / 8, "");
    auto pointers = build_into(s, { "p" }, many, "/p", 4 * MiB);
    ASSERT_TRUE(pointers.is_error());
    EXPECT_EQ(pointers.error(), Errno::ArgListTooBig);
}

TEST(InitialStack, TooManyStrings)
{
    std::vector<u8> buffer(4096);
    char const* one[] = { "x" };
    // Only the count is looked at before refusing, so the array need not be that long.
    auto result = build_initial_stack(
        STACK_TOP, { one, EXEC_MAX_STRINGS + 1 }, { nullptr, 0 }, sample_aux(), RANDOM, "x", buffer.data(), buffer.size());
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error(), Errno::ArgListTooBig);
}

TEST(InitialStack, BufferTooSmall)
{
    Stack s;
    auto fits = build_into(s, { "prog" }, { "A=B" }, "/prog", 4096);
    ASSERT_FALSE(fits.is_error());
    u64 needed = fits.value().size;
    auto exact = build_into(s, { "prog" }, { "A=B" }, "/prog", needed);
    EXPECT_FALSE(exact.is_error());
    auto small = build_into(s, { "prog" }, { "A=B" }, "/prog", needed - 1);
    ASSERT_TRUE(small.is_error());
    EXPECT_EQ(small.error(), Errno::ArgListTooBig);
}

TEST(InitialStack, DifferentStackTop)
{
    Stack s;
    u64 top = 0x7fff'1234'5670;
    auto result = build_into(s, { "a" }, {}, "/a", 4096, top);
    ASSERT_FALSE(result.is_error());
    EXPECT_EQ(result.value().rsp + result.value().size, top);
    EXPECT_EQ(result.value().rsp % 16, 0u);
}

TEST(InitialStack, CapacityAlwaysHoldsTheImage)
{
    // exec allocates initial_stack_capacity() bytes: the image must fit in exactly that
    // many, whatever the counts and lengths (the empty argv and every auxv entry included).
    AuxValues aux = sample_aux();
    aux.sysinfo_ehdr = 0x7fff'f7ff'd000;
    aux.min_signal_stack = 1088;
    for (size_t args = 0; args <= 5; ++args) {
        for (size_t len = 0; len < 34; ++len) {
            std::vector<std::string> strings(args, std::string(len, 'a'));
            std::vector<char const*> argv, envp;
            for (auto const& s : strings)
                argv.push_back(s.c_str());
            std::string variable(len * 3, 'e');
            envp.push_back(variable.c_str());
            std::string execfn(len + 1, '/');
            StringList a { argv.data(), argv.size() }, e { envp.data(), envp.size() };
            u64 capacity = initial_stack_capacity(a, e, execfn.c_str(), 1 * MiB);
            std::vector<u8> buffer(capacity);
            auto result = build_initial_stack(STACK_TOP, a, e, aux, RANDOM, execfn.c_str(), buffer.data(), buffer.size());
            ASSERT_FALSE(result.is_error()) << args << " args of length " << len << ", capacity " << capacity;
            EXPECT_LE(result.value().size, capacity);
            EXPECT_LE(capacity, result.value().size + 512) << "the estimate stays close to what is used";
        }
    }
    // Past the limit the estimate is the limit, and the build says E2BIG there as before.
    std::string huge(EXEC_MAX_STRING_LENGTH + 10, 'h');
    char const* too_long[] = { huge.c_str() };
    EXPECT_EQ(initial_stack_capacity({ too_long, 1 }, { nullptr, 0 }, "x", 64 * KiB), 64 * KiB);
}
