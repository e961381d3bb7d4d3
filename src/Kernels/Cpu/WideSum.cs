using System.Numerics;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Float sums accumulated in double lanes: reductions whose terms cancel (bias gradients, loss
/// means) keep float32 accuracy in the result, in a fixed order, at SIMD speed.
/// </summary>
internal static class WideSum
{
    public static double Sum(ReadOnlySpan<float> x)
    {
        var lo = Vector<double>.Zero; var hi = Vector<double>.Zero;
        int w = Vector<float>.Count, i = 0;
        for (; i + w <= x.Length; i += w)
        {
            Vector.Widen(new Vector<float>(x[i..]), out var a, out var b);
            lo += a; hi += b;
        }
        double s = Vector.Sum(lo + hi);
        for (; i < x.Length; i++) s += x[i];
        return s;
    }

    /// <summary><see cref="Sum"/>(x) and <see cref="Dot"/>(x, y) in one pass, each bit-identical to its own call.</summary>
    public static (double Sum, double Dot) SumAndDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var slo = Vector<double>.Zero; var shi = Vector<double>.Zero;
        var dlo = Vector<double>.Zero; var dhi = Vector<double>.Zero;
        int w = Vector<float>.Count, i = 0;
        for (; i + w <= x.Length; i += w)
        {
            Vector.Widen(new Vector<float>(x[i..]), out var xa, out var xb);
            Vector.Widen(new Vector<float>(y[i..]), out var ya, out var yb);
            slo += xa; shi += xb;
            dlo += xa * ya; dhi += xb * yb;
        }
        double s = Vector.Sum(slo + shi), d = Vector.Sum(dlo + dhi);
        for (; i < x.Length; i++) { s += x[i]; d += (double)x[i] * y[i]; }
        return (s, d);
    }

    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var lo = Vector<double>.Zero; var hi = Vector<double>.Zero;
        int w = Vector<float>.Count, i = 0;
        for (; i + w <= x.Length; i += w)
        {
            Vector.Widen(new Vector<float>(x[i..]), out var xa, out var xb);
            Vector.Widen(new Vector<float>(y[i..]), out var ya, out var yb);
            lo += xa * ya; hi += xb * yb;
        }
        double s = Vector.Sum(lo + hi);
        for (; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }
}
