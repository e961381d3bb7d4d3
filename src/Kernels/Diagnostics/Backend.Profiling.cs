using SparseCore.Kernels.Diagnostics;

namespace SparseCore.Kernels;

/// <summary>Profiling hooks: every entry point opens a kernel scope, callers open regions.</summary>
public abstract partial class Backend
{
    /// <summary>Attach a <see cref="Diagnostics.Profiler"/> to time every kernel; null (the default) turns profiling off.</summary>
    public Profiler? Profiler { get; set; }

    /// <summary>Whether a kernel may still be running when its entry point returns (a GPU stream).</summary>
    protected virtual bool Asynchronous => false;

    /// <summary>
    /// Opens a named region ("forward", "backward", "data", …) that kernels issued inside it are
    /// charged to; what the region spends outside kernels is its bookkeeping row. A no-op without a profiler.
    /// </summary>
    public ProfileScope Region(string name)
    {
        if (Profiler is not { } p) return default;
        p.OpenRegion(name);
        return new ProfileScope(p, null);
    }

    /// <summary>Times one kernel call of <paramref name="family"/> doing <paramref name="flops"/> and moving <paramref name="bytes"/>.</summary>
    protected ProfileScope Profile(OpFamily family, double flops, double bytes)
    {
        if (Profiler is not { } p) return default;
        p.OpenKernel(family, flops, bytes);
        return new ProfileScope(p, Asynchronous ? this : null);
    }
}
