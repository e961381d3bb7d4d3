using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>
/// The ILGPU conv bias gradient over fixed parts of each channel (a group per part, the parts summed
/// in order) on the CPU simulator against the double reference Σ_{img, pixel} dy: 1, 3 and 14 parts
/// of a 98-value channel; bit-identical when run twice.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuConvBiasPartsTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Theory]
    [InlineData(4096)]
    [InlineData(40)]
    [InlineData(7)]
    public void The_bias_gradient_over_parts_matches_double_reference(int partLength)
    {
        var s = new Conv2dShape(2, 3, 7, 7, 5, 3, 3, 1, 1, 1, 1); // dy [2, 5, 7, 7]: 98 values a channel
        var x = Rand((int)s.XLength, 61); var dy = Rand((int)s.YLength, 62);
        var want = new double[s.Cout];
        int plane = s.OutH * s.OutW;
        for (int n = 0; n < s.N; n++)
            for (int co = 0; co < s.Cout; co++)
                for (int p = 0; p < plane; p++) want[co] += dy[(n * s.Cout + co) * plane + p];
        int saved = backend.ReductionPartLength;
        backend.ReductionPartLength = partLength;
        try
        {
            var first = Run(s, x, dy);
            Close(first, want, 1e-6, "dbias");
            Assert.Equal(first, Run(s, x, dy));
        }
        finally
        {
            backend.ReductionPartLength = saved;
        }
    }

    private float[] Run(Conv2dShape s, float[] x, float[] dy)
    {
        using var xb = Upload(backend, x); using var dyb = Upload(backend, dy);
        using var dw = backend.Allocate<float>((int)s.WeightLength); using var db = backend.Allocate<float>(s.Cout);
        backend.Conv2dBackwardWeights(s, xb, dyb, dw, db);
        return backend.ToArray(db);
    }
}
