using System.Diagnostics;

namespace SparseCore.Kernels.Cpu;

/// <summary>One thread's share of a <see cref="WorkerTeam"/> job.</summary>
internal interface IWorkerJob
{
    void Execute(in WorkerContext ctx);
}

/// <summary>
/// Who am I inside a team job. A job that runs solo (team busy, or asked for one thread) gets
/// ThreadCount = 1 and a no-op barrier, so the same job code serves both.
/// </summary>
internal readonly struct WorkerContext
{
    private readonly WorkerTeam? _team;

    internal WorkerContext(WorkerTeam? team, int threadIndex, int threadCount)
    {
        _team = team;
        ThreadIndex = threadIndex;
        ThreadCount = threadCount;
    }

    public int ThreadIndex { get; }
    public int ThreadCount { get; }

    /// <summary>Waits until every thread of this job has arrived.</summary>
    public void Barrier() => _team?.Barrier();
}

/// <summary>
/// The calling thread plus persistent worker threads that spin briefly, then block.
/// A Parallel.For per GEMM phase instead cost ~17 % at 2 threads (measured on the 2-vCPU Zen 5
/// VM the GEMM was tuned on): thread-pool hand-off and wake-up latency dominate at millisecond
/// job sizes. Workers here keep spinning for <see cref="SpinTicks"/> after a job, so
/// back-to-back kernels start in nanoseconds, and then sleep so an idle process does not burn a
/// core.
/// Jobs must not throw before a <see cref="WorkerContext.Barrier"/> (the other threads would wait
/// forever); an exception thrown at the end is re-thrown on the caller.
/// </summary>
internal sealed class WorkerTeam
{
    private static readonly Lazy<WorkerTeam> s_shared = new(() => new WorkerTeam(Environment.ProcessorCount));

    /// <summary>One team for the process, sized to the logical processor count.</summary>
    public static WorkerTeam Shared => s_shared.Value;

    private static readonly long SpinTicks = Stopwatch.Frequency / 1000; // ~1 ms

    private readonly Worker[] _workers;
    private int _busy;                 // 1 while a job owns the team
    private IWorkerJob? _job;
    private int _active;               // threads taking part in the current job
    private int _pending;              // workers not yet done with the current job
    private Exception? _workerError;
    private int _generation;           // bumped once per job; workers wait for it to change
    private int _barrierArrived;
    private int _barrierPhase;

    public WorkerTeam(int size)
    {
        Size = Math.Max(1, size);
        _workers = new Worker[Size - 1];
        for (int i = 0; i < _workers.Length; i++)
            _workers[i] = new Worker(this, i + 1);
    }

    /// <summary>Threads in the team, the caller included.</summary>
    public int Size { get; }

    /// <summary>
    /// Runs <paramref name="job"/> on up to <paramref name="maxThreads"/> threads (the caller is
    /// thread 0) and returns when all are done. If the team is already in use (another caller, or a
    /// nested call from inside a job), the job runs solo on the caller instead of waiting.
    /// </summary>
    public void Run(IWorkerJob job, int maxThreads)
    {
        int n = Math.Min(maxThreads, Size);
        if (n <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            job.Execute(new WorkerContext(null, 0, 1));
            return;
        }

        try
        {
            _job = job;
            _active = n;
            _pending = _workers.Length; // every worker checks in, even one this job does not use
            _workerError = null;
            _barrierArrived = 0;
            Interlocked.Increment(ref _generation); // full fence: publishes the fields above
            foreach (var w in _workers)
                w.WakeIfSleeping();

            Exception? callerError = null;
            try
            {
                job.Execute(new WorkerContext(this, 0, n));
            }
            catch (Exception e)
            {
                callerError = e;
            }

            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) != 0)
                spin.SpinOnce(sleep1Threshold: -1);

            _job = null;
            if (callerError is not null)
                throw new AggregateException(callerError);
            if (_workerError is not null)
                throw new AggregateException(_workerError);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Sense-reversing spin barrier over the threads of the current job.</summary>
    internal void Barrier()
    {
        int phase = Volatile.Read(ref _barrierPhase);
        if (Interlocked.Increment(ref _barrierArrived) == _active)
        {
            _barrierArrived = 0;
            Volatile.Write(ref _barrierPhase, phase + 1);
            return;
        }

        // Yield (never Sleep(1)): on 2 vCPUs the thread we wait for may need this core.
        var spin = new SpinWait();
        while (Volatile.Read(ref _barrierPhase) == phase)
            spin.SpinOnce(sleep1Threshold: -1);
    }

    private sealed class Worker
    {
        private readonly WorkerTeam _team;
        private readonly int _index;
        private readonly SemaphoreSlim _wake = new(0);
        private readonly int _firstSeen;
        private int _sleeping;

        public Worker(WorkerTeam team, int index)
        {
            _team = team;
            _index = index;
            // Read here, on the constructing thread, before any job can be published: a thread
            // that read it itself after starting could read the first job's generation, take it
            // for the one before, and leave that job's caller spinning for a worker that never comes.
            _firstSeen = Volatile.Read(ref team._generation);
            var thread = new Thread(Loop)
            {
                IsBackground = true,
                Name = $"SparseCore worker {index}",
            };
            thread.Start();
        }

        public void WakeIfSleeping()
        {
            if (Interlocked.Exchange(ref _sleeping, 0) == 1)
                _wake.Release();
        }

        private void Loop()
        {
            int seen = _firstSeen;
            while (true)
            {
                WaitForJob(seen);
                // The caller cannot publish the next job before our decrement below, so exactly
                // one generation has passed.
                seen++;
                if (_index < _team._active)
                {
                    try
                    {
                        _team._job!.Execute(new WorkerContext(_team, _index, _team._active));
                    }
                    catch (Exception e)
                    {
                        Interlocked.CompareExchange(ref _team._workerError, e, null);
                    }
                }
                Interlocked.Decrement(ref _team._pending);
            }
        }

        private void WaitForJob(int seen)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            var spin = new SpinWait();
            while (Volatile.Read(ref _team._generation) == seen)
            {
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                    continue;
                }

                // Announce the sleep, then re-check: the caller either sees _sleeping = 1 and
                // releases the semaphore, or published its job before our re-check.
                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _team._generation) != seen)
                {
                    if (Interlocked.Exchange(ref _sleeping, 0) == 1)
                        return;      // nobody will release: go
                    _wake.Wait();    // the caller took the flag and releases: consume it
                    return;
                }
                _wake.Wait();
                return;
            }
        }
    }
}
