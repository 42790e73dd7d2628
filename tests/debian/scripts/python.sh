# python3 (glibc, dynamically linked): fork, mmap, threads, subprocess, multiprocessing, and
# dlopen through ctypes.
python3 - <<'PY'
import os, mmap, threading, subprocess, ctypes
pid = os.fork()
if pid == 0:
    os._exit(7)
print("fork: child exited", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
with open("mapped", "wb") as f:
    f.write(b"x" * 8192)
with open("mapped", "r+b") as f:
    m = mmap.mmap(f.fileno(), 8192)
    m[4096:4101] = b"hello"
    m.flush()
    m.close()
print("mmap:", open("mapped", "rb").read()[4096:4101].decode())
total = [0]
lock = threading.Lock()
def work(n):
    for _ in range(n):
        with lock:
            total[0] += 1
threads = [threading.Thread(target=work, args=(10000,)) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
print("threads:", total[0])
print("subprocess:", subprocess.run(["echo", "from a child"], capture_output=True, text=True).stdout.strip())
libc = ctypes.CDLL("libc.so.6")
print("dlopen libc: strlen =", libc.strlen(b"pagoda"))
PY
python3 -c 'import multiprocessing as mp
if __name__ == "__main__":
    with mp.Pool(2) as pool:
        print("multiprocessing:", sum(pool.map(abs, range(-50, 50))))'
