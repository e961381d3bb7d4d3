namespace SparseCore.Kernels.Diagnostics;

/// <summary>
/// Closes what <see cref="Backend.Profile"/> or <see cref="Backend.Region"/> opened; the default
/// value (no profiler attached) does nothing, so an unprofiled call costs one null check.
/// </summary>
public readonly struct ProfileScope : IDisposable
{
    private readonly Profiler? profiler;
    private readonly Backend? synchronize;

    internal ProfileScope(Profiler profiler, Backend? synchronize)
    {
        this.profiler = profiler;
        this.synchronize = synchronize;
    }

    public void Dispose()
    {
        if (profiler is null) return;
        // On an asynchronous device a kernel is only finished when the stream is; waiting here makes
        // the row device time rather than launch time (and is why profiling slows a GPU run down).
        synchronize?.Synchronize();
        profiler.Close();
    }
}
