using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Copies of a few dozen floats (an image row into a padded or stacked layout) done inline: 16-float
/// vector steps and one masked step for the tail. Why: Span.CopyTo calls into memmove, whose call
/// and size dispatch cost more than moving 28 floats, and the conv paths make one such copy per
/// image row per channel.
/// </summary>
internal static unsafe class ShortCopy
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Floats(float* from, float* to, int length)
    {
        int t = 0;
        if (Avx512F.IsSupported)
        {
            for (; t + 16 <= length; t += 16) Vector512.Load(from + t).Store(to + t);
            if (t == length) return;
            var tail = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(length - t)).AsSingle();
            Avx512F.MaskStore(to + t, tail, Avx512F.MaskLoad(from + t, tail, Vector512<float>.Zero));
            return;
        }
        for (; t + 8 <= length; t += 8) Vector256.Load(from + t).Store(to + t);
        for (; t < length; t++) to[t] = from[t];
    }
}
