using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// Uploads without a stream synchronisation. ILGPU's CopyFromCPU(span) synchronises the stream
/// (the span may not outlive the call), which put a full host wait into every batch upload. Here
/// the data is first copied into page-locked host memory and the device copy is queued behind
/// the kernels already on the stream; the host goes on at once. A region of the ring is reused
/// only after the stream has been synchronised (every download and Synchronize releases the ring),
/// so a queued copy never reads bytes overwritten by a later upload. When a step uploads more
/// than the ring holds, the ring waits for the stream once and grows.
/// </summary>
internal sealed class IlgpuUploadStaging(Accelerator accelerator, AcceleratorStream stream, Action countWait) : IDisposable
{
    private const int Alignment = 16, InitialBytes = 1 << 20;
    private PageLockedArray1D<byte>? ring;
    private int used;

    public void Upload<T>(ReadOnlySpan<T> source, ArrayView<T> target) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(source);
        int length = (bytes.Length + Alignment - 1) & ~(Alignment - 1);
        if (ring is null || used + length > ring.Length)
        {
            if (used > 0)
            {
                // Copies still queued may read the ring: wait for them before anything is overwritten.
                stream.Synchronize();
                countWait();
                used = 0;
            }
            if (ring is null || length > ring.Length)
            {
                ring?.Dispose();
                ring = accelerator.AllocatePageLocked1D<byte>(Math.Max(InitialBytes, (int)Math.Min(int.MaxValue, 2L * length)), uninitialized: true);
            }
        }
        var region = ring.Span.Slice(used, bytes.Length);
        bytes.CopyTo(region);
        target.CopyFromCPUUnsafeAsync(stream, ref Unsafe.As<byte, T>(ref region[0]), source.Length);
        used += length;
    }

    /// <summary>The stream has been synchronised: every queued copy has read its bytes.</summary>
    public void Release() => used = 0;

    public void Dispose() => ring?.Dispose();
}
