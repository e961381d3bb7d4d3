using System.Numerics;
using System.Numerics.Tensors;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>The score mask's straight-through backward: SIMD over fixed chunks.</summary>
public partial class CpuBackend
{
    protected override void RunScoreMaskBackward(DeviceBuffer<float> w, DeviceBuffer<float> scores, DeviceBuffer<float> mask, DeviceBuffer<float> dy,
                                                 DeviceBuffer<float>? dw, DeviceBuffer<float>? dScores, int n)
    {
        var wa = ArrayOf(w); var sa = ArrayOf(scores); var ma = ArrayOf(mask); var dya = ArrayOf(dy);
        var dwa = dw is null ? null : ArrayOf(dw);
        var dsa = dScores is null ? null : ArrayOf(dScores);
        CpuParallel.For(n, ElementGrain, (s, e) =>
        {
            // The score gradient reads dy before dw, which may alias it, is written.
            if (dsa is not null) ScoreGradient(dya, wa, sa, dsa, s, e);
            if (dwa is not null) TensorPrimitives.Multiply(dya.AsSpan(s, e - s), ma.AsSpan(s, e - s), dwa.AsSpan(s, e - s));
        });
    }

    /// <summary>ds[i] = <see cref="ScoreMaskMath.ScoreGradient"/>(dy[i], w[i], s[i]) for i in [start, end), the same expression vectorised.</summary>
    private static void ScoreGradient(float[] dy, float[] w, float[] s, float[] ds, int start, int end)
    {
        int i = start;
        for (int width = Vector<float>.Count; i + width <= end; i += width)
        {
            var sv = new Vector<float>(s, i);
            var sign = Vector.ConditionalSelect(Vector.GreaterThan(sv, Vector<float>.Zero), Vector<float>.One,
                       Vector.ConditionalSelect(Vector.LessThan(sv, Vector<float>.Zero), -Vector<float>.One, sv));
            (new Vector<float>(dy, i) * new Vector<float>(w, i) * sign).CopyTo(ds, i);
        }
        for (; i < end; i++) ds[i] = ScoreMaskMath.ScoreGradient(dy[i], w[i], s[i]);
    }
}
