#include "kernel/mm/fault.h"
#include "kernel/mm/mapping.h"
#include <gtest/gtest.h>

namespace {

constexpr VirtAddr P = PAGE_SIZE;
Mapping private_rw(P, 4 * P, VM_READ | VM_WRITE, MappingSharing::Private, "");
Mapping private_ro(P, 4 * P, VM_READ, MappingSharing::Private, "");
Mapping shared_rw(P, 4 * P, VM_READ | VM_WRITE, MappingSharing::Shared, "");
Mapping none(P, 4 * P, VM_NONE, MappingSharing::Private, "");
Mapping exec_only(P, 4 * P, VM_EXEC, MappingSharing::Private, "");

PteInfo absent {};
PteInfo read_only { .present = true, .frame = 7, .writable = false };
PteInfo writable { .present = true, .frame = 7, .writable = true };

FaultCase decide(Mapping const* m, PteInfo const& pte, FaultAccess a, u32 refs = 1, bool zero = false)
{
    return decide_fault(m, pte, a, refs, zero);
}

}

TEST(FaultDecision, NoMappingOrForbiddenAccessIsSegv)
{
    EXPECT_EQ(decide(nullptr, absent, FaultAccess::Read), FaultCase::Segv);
    EXPECT_EQ(decide(&private_ro, absent, FaultAccess::Write), FaultCase::Segv);
    EXPECT_EQ(decide(&private_ro, read_only, FaultAccess::Write), FaultCase::Segv);
    EXPECT_EQ(decide(&private_ro, absent, FaultAccess::Execute), FaultCase::Segv);
    EXPECT_EQ(decide(&none, absent, FaultAccess::Read), FaultCase::Segv);
    EXPECT_EQ(decide(&none, read_only, FaultAccess::Read), FaultCase::Segv);
}

TEST(FaultDecision, AnyPermissionMakesReadable)
{
    // As on x86 Linux: an exec-only or write-only page can still be read.
    EXPECT_EQ(decide(&exec_only, absent, FaultAccess::Read), FaultCase::ZeroRead);
    EXPECT_TRUE(prot_allows(VM_WRITE, FaultAccess::Read));
    EXPECT_FALSE(prot_allows(VM_READ, FaultAccess::Execute));
}

TEST(FaultDecision, PrivateAbsentPages)
{
    EXPECT_EQ(decide(&private_rw, absent, FaultAccess::Read), FaultCase::ZeroRead);
    EXPECT_EQ(decide(&private_rw, absent, FaultAccess::Write), FaultCase::ZeroWrite);
    EXPECT_EQ(decide(&exec_only, absent, FaultAccess::Execute), FaultCase::ZeroRead);
}

TEST(FaultDecision, WriteOverZeroFrameGetsFreshFrame)
{
    EXPECT_EQ(decide(&private_rw, read_only, FaultAccess::Write, 5, true), FaultCase::ZeroWrite);
}

TEST(FaultDecision, CopyOnWriteReuseOrCopy)
{
    EXPECT_EQ(decide(&private_rw, read_only, FaultAccess::Write, 1), FaultCase::CowReuse);
    EXPECT_EQ(decide(&private_rw, read_only, FaultAccess::Write, 2), FaultCase::CowCopy);
    EXPECT_EQ(decide(&private_rw, read_only, FaultAccess::Write, 9), FaultCase::CowCopy);
}

TEST(FaultDecision, AlreadyPermittedIsSpurious)
{
    EXPECT_EQ(decide(&private_rw, writable, FaultAccess::Write), FaultCase::Spurious);
    EXPECT_EQ(decide(&private_rw, read_only, FaultAccess::Read, 2), FaultCase::Spurious);
    EXPECT_STREQ(fault_case_name(FaultCase::CowCopy), "cow_copy");
}
