"""Tests of the trace decoder and the story (python3 -m unittest story_test; ctest
vmview.story): lines parse into fields, a fork followed by writes replays into shared and
then copied frames, and a shared file mapping's pages go dirty and back to disk."""

import unittest

import story

FORK_TRACE = """\
0 10 0 0 0 trace_start frames=100 free=90 capacity=1024
1 11 0 1 1 exec name=demo
2 12 0 1 1 vma start=0x1000 end=0x3000 prot=rw- shared=0 cache=0x0 offset=0x0 flags=0x0
3 13 0 1 1 fault addr=0x1000 access=write case=zero_write result=handled old=- old_ref=0 new=0x50 new_ref=1
4 14 0 1 1 frame_alloc frame=0x50 use=user
5 15 0 1 1 fork child=2 vfork=0 pages=1 tables=0
6 16 0 2 2 vma start=0x1000 end=0x3000 prot=rw- shared=0 cache=0x0 offset=0x0 flags=0x0
7 17 0 2 2 page va=0x1000 frame=0x50 ref=2 writable=0 cache_frame=0 zero=0 dirty=0 cache=0x0 index=0
8 18 0 2 2 fault addr=0x1000 access=write case=cow_copy result=handled old=0x50 old_ref=2 new=0x51 new_ref=1
lost count=3
12 20 0 2 2 exit status=0x0
13 21 0 1 1 fault addr=0x1000 access=write case=cow_reuse result=handled old=0x50 old_ref=1 new=0x50 new_ref=1
"""

FILE_TRACE = """\
0 10 0 0 0 trace_start frames=100 free=90 capacity=1024
1 11 0 3 3 cache_file cache=0xc0 dev=1 ino=12
2 12 0 3 3 mmap start=0x7000 length=0x1000 prot=rw- flags=0x1 cache=0xc0 offset=0x0
3 13 0 3 3 name cache=0xc0 text=/mnt/file with space
4 14 0 3 3 disk_read dev=0 ino=12 index=0 block=700 blocks=1
5 15 0 3 3 cache_insert cache=0xc0 index=0 frame=0x60 how=read
6 16 0 3 3 fault addr=0x7000 access=write case=file_shared_write result=handled old=- old_ref=0 new=0x60 new_ref=2
7 17 0 3 3 cache_dirty cache=0xc0 index=0 frame=0x60
8 18 0 3 3 writeback_start cache=0xc0 first=0 last=0 reason=sync
9 19 0 3 3 cache_clean cache=0xc0 index=0 frame=0x60
10 20 0 3 3 disk_write dev=0 ino=12 index=0 block=700 blocks=1
11 21 0 3 3 writeback_end cache=0xc0 pages=1 error=0
"""


class ParseTest(unittest.TestCase):
    def test_fields(self):
        r = story.parse_line("8 18 0 2 3 fault addr=0x1000 access=write case=cow_copy result=handled old=0x50 old_ref=2 "
                             "new=- new_ref=1")
        self.assertEqual((r["seq"], r["time"], r["cpu"], r["pid"], r["tid"]), (8, 18, 0, 2, 3))
        self.assertEqual(r["event"], "fault")
        self.assertEqual(r["addr"], 0x1000)
        self.assertEqual(r["case"], "cow_copy")
        self.assertIsNone(r["new"])
        self.assertEqual(r["old_ref"], 2)

    def test_text_runs_to_the_end(self):
        r = story.parse_line("3 13 0 3 3 name cache=0xc0 text=/mnt/file with space")
        self.assertEqual(r["text"], "/mnt/file with space")
        self.assertEqual(r["cache"], 0xc0)

    def test_lost_and_garbage(self):
        self.assertEqual(story.parse_line("lost count=3"), {"event": "lost", "count": 3})
        self.assertIsNone(story.parse_line("# comment"))
        with self.assertRaises(ValueError):
            story.parse_line("not a trace")


class ForkStoryTest(unittest.TestCase):
    def setUp(self):
        self.story = story.Story(story.parse(FORK_TRACE))
        self.kinds = [s["kind"] for s in self.story.steps]

    def test_steps_and_sentences(self):
        self.assertEqual(self.kinds, ["start", "exec", "zero_write", "fork", "cow_copy", "lost", "exit", "cow_reuse"])
        copy = self.story.steps[4]
        self.assertEqual(copy["sentence"], "pid 2 wrote 0x1000: frame 0x50 is shared by 2, copied to 0x51.")
        self.assertIn("pid 1 forked pid 2: 1 pages shared", self.story.steps[3]["sentence"])
        self.assertEqual(self.story.lost, 3)

    def test_frames_shared_then_copied(self):
        replay = story.Story([])
        for step in self.story.steps[:4]:  # up to the fork
            for op in step["ops"]:
                replay._apply_op(op)
        self.assertEqual(replay.sharers(0x50), [(1, 0x1000), (2, 0x1000)])
        self.assertFalse(replay.processes[1]["pages"][0x1000]["writable"])  # write-protected by the fork
        for op in self.story.steps[4]["ops"]:
            replay._apply_op(op)
        self.assertEqual(replay.sharers(0x50), [(1, 0x1000)])
        self.assertEqual(replay.sharers(0x51), [(2, 0x1000)])

    def test_counters(self):
        last = self.story.steps[-1]["counters"]
        self.assertEqual((last["zero_fill"], last["cow_copy"], last["cow_reuse"]), (1, 1, 1))
        self.assertEqual(last["frames_used"], 11)  # 10 at the start, one allocation
        self.assertFalse(self.story.processes[2]["alive"])
        self.assertTrue(self.story.processes[1]["pages"][0x1000]["writable"])


VFORK_TRACE = """\
0 10 0 0 0 trace_start frames=100 free=90 capacity=1024
1 11 0 1 1 exec name=demo
2 12 0 1 1 vma start=0x1000 end=0x2000 prot=rw- shared=0 cache=0x0 offset=0x0 flags=0x0
3 13 0 1 1 fork child=2 vfork=1 pages=0 tables=0
4 14 0 2 2 fault addr=0x1000 access=write case=zero_write result=handled old=- old_ref=0 new=0x70 new_ref=1
5 15 0 2 2 exit status=0x700
6 16 0 2 2 vfork_end parent=1 by=exit
"""


class VforkStoryTest(unittest.TestCase):
    def test_child_writes_into_its_parents_space(self):
        s = story.Story(story.parse(VFORK_TRACE))
        self.assertEqual([step["kind"] for step in s.steps], ["start", "exec", "vfork", "zero_write", "exit", "vfork_end"])
        self.assertEqual(s.processes[1]["pages"][0x1000]["frame"], 0x70)  # the parent's page
        self.assertEqual(s.processes[2]["pages"], {})
        self.assertIn("borrowed stays pid 1's", s.steps[4]["sentence"])
        self.assertIsNone(s.processes[2]["vfork_of"])


class FileStoryTest(unittest.TestCase):
    def test_dirty_and_written_back(self):
        s = story.Story(story.parse(FILE_TRACE))
        kinds = [step["kind"] for step in s.steps]
        self.assertEqual(kinds, ["start", "mmap", "cache_read", "file_shared_write", "dirty", "writeback", "clean",
                                 "disk_write", "writeback_end"])
        self.assertIn("from disk block 700", s.steps[2]["sentence"])
        cache = s.caches[0xc0]
        self.assertEqual(cache["name"], "/mnt/file with space")
        self.assertEqual(cache["pages"], {0: 0x60})
        self.assertEqual(cache["blocks"], {0: 700})
        self.assertEqual(cache["dirty"], set())
        self.assertEqual(s.processes[3]["pages"][0x7000]["cache"], 0xc0)
        counters = s.steps[4]["counters"]
        self.assertEqual(counters["dirty_pages"], 1)
        self.assertEqual(s.steps[-1]["counters"]["written_back"], 1)


if __name__ == "__main__":
    unittest.main()
