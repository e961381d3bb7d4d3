using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels.Tests.Sparse;

/// <summary>
/// A sparse conv problem — random odd-sized input, a random weight pruned to a density (with every
/// third row empty when asked), an optional bias — its double-precision answer in plain loops, and
/// the check every sparse conv kernel must pass: normwise error against that answer.
/// </summary>
internal sealed record SparseConvCase(Conv2dShape Shape, float[] X, float[] W, float[]? Bias)
{
    public static SparseConvCase Random(Conv2dShape s, double density, bool emptyRows, bool bias, int seed)
    {
        var rng = new System.Random(seed);
        return new SparseConvCase(s, Values(rng, s.XLength), PrunedWeight(rng, s.Cout, s.Cin * s.KH * s.KW, density, emptyRows),
                                  bias ? Values(rng, s.Cout) : null);
    }

    /// <summary>y[n, co, oh, ow] = bias[co] + Σ_{c, ky, kx in the image} w·x, in double.</summary>
    public double[] Reference()
    {
        var s = Shape;
        var y = new double[s.YLength];
        int at = 0;
        for (int n = 0; n < s.N; n++)
            for (int co = 0; co < s.Cout; co++)
                for (int oh = 0; oh < s.OutH; oh++)
                    for (int ow = 0; ow < s.OutW; ow++)
                    {
                        double acc = Bias?[co] ?? 0;
                        for (int c = 0; c < s.Cin; c++)
                            for (int ky = 0; ky < s.KH; ky++)
                                for (int kx = 0; kx < s.KW; kx++)
                                {
                                    int ih = oh * s.StrideH - s.PadH + ky, iw = ow * s.StrideW - s.PadW + kx;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    acc += (double)W[((co * s.Cin + c) * s.KH + ky) * s.KW + kx] * X[((n * s.Cin + c) * s.H + ih) * s.W + iw];
                                }
                        y[at++] = acc;
                    }
        return y;
    }

    /// <summary>The backend's sparse forward on this case, its weight compressed on that backend.</summary>
    public float[] Run(Backend backend)
    {
        var s = Shape;
        using var w = SparseWeight.FromConv(backend, W, s.Cout, s.Cin, s.KH, s.KW);
        using var x = K.Upload(backend, X);
        using var bias = Bias is null ? null : K.Upload(backend, Bias);
        using var y = backend.Allocate<float>((int)s.YLength);
        backend.SparseConv2dForward(s, x, w, bias, y);
        return backend.ToArray(y);
    }

    /// <summary>The check: ‖sparse − reference‖ / ‖reference‖.</summary>
    public double Error(Backend backend) => K.NormwiseError(Run(backend), Reference());

    public static float[] Values(System.Random rng, long n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    /// <summary>[rows, rowLength] uniform in (−1, 1), each entry kept with probability density, the others exactly 0.</summary>
    public static float[] PrunedWeight(System.Random rng, int rows, int rowLength, double density, bool emptyRows)
    {
        var w = Values(rng, (long)rows * rowLength);
        for (int i = 0; i < w.Length; i++)
            if (rng.NextDouble() >= density || (emptyRows && i / rowLength % 3 == 1)) w[i] = 0f;
        return w;
    }
}

/// <summary>A sparse linear problem: x [Batch, In], a pruned weight [Out, In], an optional bias; and its double answer.</summary>
internal sealed record SparseLinearCase(int Batch, int In, int Out, float[] X, float[] W, float[]? Bias)
{
    public static SparseLinearCase Random(int batch, int inFeatures, int outFeatures, double density, bool emptyRows, bool bias, int seed)
    {
        var rng = new System.Random(seed);
        return new SparseLinearCase(batch, inFeatures, outFeatures, SparseConvCase.Values(rng, (long)batch * inFeatures),
            SparseConvCase.PrunedWeight(rng, outFeatures, inFeatures, density, emptyRows), bias ? SparseConvCase.Values(rng, outFeatures) : null);
    }

    public double[] Reference()
    {
        var y = new double[Batch * Out];
        for (int n = 0; n < Batch; n++)
            for (int o = 0; o < Out; o++)
            {
                double acc = Bias?[o] ?? 0;
                for (int c = 0; c < In; c++) acc += (double)W[o * In + c] * X[n * In + c];
                y[n * Out + o] = acc;
            }
        return y;
    }

    public float[] Run(Backend backend)
    {
        using var w = SparseWeight.FromLinear(backend, W, Out, In);
        using var x = K.Upload(backend, X);
        using var bias = Bias is null ? null : K.Upload(backend, Bias);
        using var y = backend.Allocate<float>(Batch * Out);
        backend.SparseLinearForward(x, w, bias, y, Batch);
        return backend.ToArray(y);
    }

    public double Error(Backend backend) => K.NormwiseError(Run(backend), Reference());
}
