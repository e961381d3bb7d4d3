using System.Runtime.ExceptionServices;

namespace SparseCore.Models.Data;

/// <summary>
/// Prepares one batch at a time on a persistent background thread while the caller consumes the
/// previous one. A dedicated thread handed work under a lock, rather than a Task per batch, so an
/// epoch allocates nothing per batch and the training loop's thread-pool stays free for compute.
/// What gets written depends only on the (batch, number) request, never on timing, so prefetching
/// cannot change the data a step sees.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly object _gate = new();
    private readonly Action<Batch, int> _fill;
    private Thread? _thread;
    private Batch? _batch;
    private int _number;
    private bool _pending;   // a request not yet picked up by the worker
    private bool _busy;      // a request not yet completed
    private bool _stopping;
    private ExceptionDispatchInfo? _error;

    public BatchPrefetcher(Action<Batch, int> fill) => _fill = fill;

    /// <summary>Starts filling <paramref name="batch"/> with batch <paramref name="number"/>; returns at once.</summary>
    public void Start(Batch batch, int number)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_busy)
                throw new InvalidOperationException("a batch is already being prepared; wait for it first");
            _batch = batch;
            _number = number;
            _pending = true;
            _busy = true;
            _error = null;
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "SparseCore batch prefetch" };
                _thread.Start();
            }
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks until the started batch is ready; rethrows whatever the fill threw.</summary>
    public void Wait()
    {
        ExceptionDispatchInfo? error;
        lock (_gate)
        {
            while (_busy)
                Monitor.Wait(_gate);
            error = _error;
            _error = null;
        }
        error?.Throw();
    }

    /// <summary>
    /// Blocks until no fill is running, discarding any error: used when an epoch is abandoned, so
    /// the buffers are quiet before the next epoch reuses them.
    /// </summary>
    public void WaitIdle()
    {
        lock (_gate)
        {
            while (_busy)
                Monitor.Wait(_gate);
            _error = null;
        }
    }

    private void Run()
    {
        while (true)
        {
            Batch batch;
            int number;
            lock (_gate)
            {
                while (!_pending && !_stopping)
                    Monitor.Wait(_gate);
                if (!_pending)
                    return; // stopping, and nothing left to do
                batch = _batch!;
                number = _number;
                _pending = false;
            }

            ExceptionDispatchInfo? error = null;
            try
            {
                _fill(batch, number);
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }

            lock (_gate)
            {
                _error = error;
                _batch = null;
                _busy = false;
                Monitor.PulseAll(_gate);
            }
        }
    }

    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            _stopping = true;
            thread = _thread;
            Monitor.PulseAll(_gate);
        }
        if (thread is not null && thread != Thread.CurrentThread)
            thread.Join();
    }
}
