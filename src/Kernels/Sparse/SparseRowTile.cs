using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SparseCore.Kernels.Sparse;

/// <summary>
/// The CPU's sparse micro-kernel: one sparse row against <see cref="Width"/> consecutive positions
/// of a prepared input, tile[j] = Σ_e values[e]·source[origin + offsets[e] + j], the terms fused
/// multiply-added in row order from 0. The accumulators stay in registers for the whole row, so a
/// nonzero costs one broadcast, four (eight) loads and four (eight) FMAs, and the tile is stored
/// once. Both widths add each lane's terms in the same order with the same fused operation, so
/// their results are bit-identical: the answer does not depend on the machine's vector width.
/// The caller guarantees source holds origin + offsets[e] + Width floats for every e.
/// </summary>
internal static class SparseRowTile
{
    public const int Width = 64;

    public static void Run(ReadOnlySpan<float> values, ReadOnlySpan<int> offsets, float[] source, int origin, Span<float> tile)
    {
        if (Vector512.IsHardwareAccelerated) Run512(values, offsets, source, origin, tile);
        else Run256(values, offsets, source, origin, tile);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run512(ReadOnlySpan<float> values, ReadOnlySpan<int> offsets, float[] source, int origin, Span<float> tile)
    {
        ref float src = ref MemoryMarshal.GetArrayDataReference(source);
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (int e = 0; e < values.Length; e++)
        {
            var v = Vector512.Create(values[e]);
            nuint at = (nuint)(origin + offsets[e]);
            a0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref src, at), a0);
            a1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref src, at + 16), a1);
            a2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref src, at + 32), a2);
            a3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref src, at + 48), a3);
        }
        ref float dst = ref MemoryMarshal.GetReference(tile[..Width]);
        a0.StoreUnsafe(ref dst);
        a1.StoreUnsafe(ref dst, 16);
        a2.StoreUnsafe(ref dst, 32);
        a3.StoreUnsafe(ref dst, 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Run256(ReadOnlySpan<float> values, ReadOnlySpan<int> offsets, float[] source, int origin, Span<float> tile)
    {
        ref float src = ref MemoryMarshal.GetArrayDataReference(source);
        Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int e = 0; e < values.Length; e++)
        {
            var v = Vector256.Create(values[e]);
            nuint at = (nuint)(origin + offsets[e]);
            a0 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at), a0);
            a1 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at + 8), a1);
            a2 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at + 16), a2);
            a3 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at + 24), a3);
            a4 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at + 32), a4);
            a5 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at + 40), a5);
            a6 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at + 48), a6);
            a7 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref src, at + 56), a7);
        }
        ref float dst = ref MemoryMarshal.GetReference(tile[..Width]);
        a0.StoreUnsafe(ref dst);
        a1.StoreUnsafe(ref dst, 8);
        a2.StoreUnsafe(ref dst, 16);
        a3.StoreUnsafe(ref dst, 24);
        a4.StoreUnsafe(ref dst, 32);
        a5.StoreUnsafe(ref dst, 40);
        a6.StoreUnsafe(ref dst, 48);
        a7.StoreUnsafe(ref dst, 56);
    }
}
