#include "profile.h"

namespace {
ProfileClock g_clock;
ProfileStage* g_first;
ProfileStage* g_last;
}

void profile_set_clock(ProfileClock clock) { g_clock = clock; }
ProfileClock profile_clock() { return g_clock; }

void profile_register(ProfileStage& stage)
{
    stage.registered = true;
    if (g_last)
        g_last->next = &stage;
    else
        g_first = &stage;
    g_last = &stage;
}

void profile_for_each(void (*print)(ProfileStage const&))
{
    for (ProfileStage* stage = g_first; stage; stage = stage->next)
        print(*stage);
}
