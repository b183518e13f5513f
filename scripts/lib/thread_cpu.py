"""CPU time by thread group of a running .NET process of Dla, for the benchmark scripts.

  thread_cpu.py sample PID OUT            samples every thread's CPU time (/proc/PID/task/*/stat) once a second
                                          into OUT until the process ends, and the whole machine's busy time
                                          (/proc/stat), so what other processes used is known
  thread_cpu.py summarize LOG SAMPLES N [JOB]
                                          the steady state from a log with timestamped "Stored batch ...: N results"
                                          lines (of JOB only, when given; from the second such batch to the last):
                                          prints the batch rate, the CPU milliseconds per image by group (decode
                                          threads, thread pool, other threads of the process, other processes),
                                          pool ÷ decode and how busy the machine's cores were (below 100 %, the
                                          pipeline waited on itself)

Groups: threads named dla-decode-* decode; ".NET TP Worker" threads are the pool (the model's calls, reads, the
bus, the database client and the bookkeeping); everything else in the process is "other".
"""
import collections
import os
import sys
import time

TICK_MS = 1000 / os.sysconf('SC_CLK_TCK')


def machine_busy_ticks():
    fields = [int(x) for x in open('/proc/stat').readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # all but idle and iowait


def sample(pid, out_path):
    out = open(out_path, 'w')
    while os.path.exists(f'/proc/{pid}/stat'):
        now = time.strftime('%H:%M:%S') + ('%.3f' % (time.time() % 1))[1:]
        try:
            lines = [f'{now}|machine|machine|{machine_busy_ticks()}']
            for tid in os.listdir(f'/proc/{pid}/task'):
                try:
                    name = open(f'/proc/{pid}/task/{tid}/comm').read().strip()
                    fields = open(f'/proc/{pid}/task/{tid}/stat').read().rsplit(') ', 1)[1].split()
                    lines.append(f'{now}|{tid}|{name}|{int(fields[11]) + int(fields[12])}')
                except OSError:
                    pass
        except OSError:
            break
        out.write('\n'.join(lines) + '\n')
        out.flush()
        time.sleep(1)


def seconds(stamp):
    h, m, s = stamp.split(':')
    return int(h) * 3600 + int(m) * 60 + float(s)


def summarize(log_path, samples_path, batch_size, job=''):
    full = f': {batch_size} results'
    stored = [seconds(line.split()[0]) for line in open(log_path) if 'Stored batch' in line and full in line and job in line]
    if len(stored) < 4:
        sys.exit(f'error: only {len(stored)} full batches stored in {log_path}')
    samples = collections.defaultdict(dict)
    for line in open(samples_path):
        stamp, tid, name, ticks = line.rstrip('\n').split('|')
        samples[seconds(stamp)][tid] = (name, int(ticks))
    times = sorted(samples)
    nearest = lambda t: min(times, key=lambda x: abs(x - t))
    start, end = nearest(stored[1]), nearest(stored[-1])
    rate = (len(stored) - 2) * batch_size / (stored[-1] - stored[1])
    images = rate * (end - start)
    groups = collections.Counter()
    for tid, (name, ticks) in samples[end].items():
        before = samples[start].get(tid, (name, 0))[1]
        if tid == 'machine':
            groups['machine'] += ticks - before
            continue
        group = 'decode' if name.startswith('dla-decode') else 'pool' if name == '.NET TP Worker' else 'other'
        groups[group] += ticks - before
    ms = {g: TICK_MS * groups[g] / images for g in ('decode', 'pool', 'other', 'machine')}
    process = ms['decode'] + ms['pool'] + ms['other']
    print(f"batches {rate:.1f} images/s; CPU per image: decode {ms['decode']:.2f} ms, pool {ms['pool']:.2f} ms, "
          f"other {ms['other']:.2f} ms, other processes {max(0.0, ms['machine'] - process):.2f} ms; "
          f"pool ÷ decode {ms['pool'] / ms['decode']:.3f}; process {process:.2f} ms; "
          f"machine {100 * TICK_MS * groups['machine'] / (1000 * (end - start) * os.cpu_count()):.0f} % busy")


if __name__ == '__main__':
    if sys.argv[1] == 'sample':
        sample(sys.argv[2], sys.argv[3])
    else:
        summarize(sys.argv[2], sys.argv[3], int(sys.argv[4]), *sys.argv[5:6])
