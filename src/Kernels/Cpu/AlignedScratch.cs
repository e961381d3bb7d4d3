using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Per-thread, 64-byte-aligned, grow-only float buffers for kernels' packing space. Pinned arrays
/// on the pinned object heap: they never move, so raw pointers stay valid for as long as the
/// thread keeps the array, and repeated kernel calls allocate nothing.
/// </summary>
internal static unsafe class AlignedScratch
{
    public enum Slot { PackA, PackB, ConvImage, ConvTile, ConvPairImage, Count }

    [ThreadStatic] private static float[]?[]? t_buffers;

    /// <summary>
    /// At least <paramref name="floats"/> floats, 64-byte aligned, contents undefined. Valid until
    /// the same thread asks for the same slot again.
    /// </summary>
    public static float* Get(Slot slot, long floats)
    {
        var buffers = t_buffers ??= new float[]?[(int)Slot.Count];
        ref float[]? buffer = ref buffers[(int)slot];
        long needed = floats + 16; // room to round the start up to a cache line
        if (buffer is null || buffer.Length < needed)
        {
            buffer = null; // let the old one go before allocating the new one
            buffer = GC.AllocateUninitializedArray<float>(checked((int)needed), pinned: true);
        }

        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((start + 63) & ~(nint)63);
    }
}
