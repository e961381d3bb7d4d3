using SparseCore.Kernels.Conv;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The CPU weight gradient sums a batch as fixed image ranges, each in groups of images laid side
/// by side in one GEMM. ConvOpTests' shapes give every range a single image; these give ranges of
/// 2–3 images in groups of 2 (P = 529 or 625 pixels), so some ranges end in a partial group.
/// </summary>
public class ConvWeightGradTests
{
    public static TheoryData<string> Shapes => ["3x3 s1 p1", "3x3 s2 p1", "1x1 s1 p0"];

    private static Conv2dShape Named(string name) => name switch
    {
        "3x3 s1 p1" => new Conv2dShape(11, 3, 23, 23, 5, 3, 3, 1, 1, 1, 1),
        "3x3 s2 p1" => new Conv2dShape(11, 3, 45, 45, 5, 3, 3, 2, 2, 1, 1),
        _ => new Conv2dShape(11, 3, 25, 25, 5, 1, 1),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Grouped_weight_gradient_matches_the_double_reference_run_after_run(string name)
    {
        var s = Named(name);
        var backend = TestBackends.Get("cpu");
        var rng = new System.Random(9);
        var x = RefTensor.Random(rng, (int)s.XLength);
        var dy = RefTensor.Random(rng, (int)s.YLength);
        using var xb = backend.Allocate<float>((int)s.XLength);
        using var dyb = backend.Allocate<float>((int)s.YLength);
        backend.Upload<float>(x.ToFloat(), xb);
        backend.Upload<float>(dy.ToFloat(), dyb);
        float[] Run()
        {
            using var dw = backend.Allocate<float>((int)s.WeightLength);
            backend.Conv2dBackwardWeights(s, xb, dyb, dw, null);
            return backend.ToArray(dw);
        }
        var first = Run();
        double error = Norms.RelativeError(first, ReferenceWeightGradient(s, x.Data, dy.Data));
        Assert.True(error <= 1e-5, $"{name}: weight gradient error {error:E2}");
        Assert.Equal(first, Run());
    }

    /// <summary>dw[co, ci, r, q] = Σ over images and output pixels of dy[n, co, oh, ow] · x[n, ci, oh·sh − ph + r, ow·sw − pw + q].</summary>
    private static double[] ReferenceWeightGradient(Conv2dShape s, double[] x, double[] dy)
    {
        var dw = new double[s.WeightLength];
        for (int n = 0; n < s.N; n++)
            for (int co = 0; co < s.Cout; co++)
                for (int ci = 0; ci < s.Cin; ci++)
                    for (int r = 0; r < s.KH; r++)
                        for (int q = 0; q < s.KW; q++)
                        {
                            double sum = 0;
                            for (int oh = 0; oh < s.OutH; oh++)
                                for (int ow = 0; ow < s.OutW; ow++)
                                {
                                    int ih = oh * s.StrideH - s.PadH + r, iw = ow * s.StrideW - s.PadW + q;
                                    if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                                    sum += dy[((n * s.Cout + co) * s.OutH + oh) * s.OutW + ow] * x[((n * s.Cin + ci) * s.H + ih) * s.W + iw];
                                }
                            dw[((co * s.Cin + ci) * s.KH + r) * s.KW + q] += sum;
                        }
        return dw;
    }
}
