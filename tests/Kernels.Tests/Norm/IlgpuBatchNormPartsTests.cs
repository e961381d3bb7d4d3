using SparseCore.Kernels.Norm;
using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Norm;

/// <summary>
/// The ILGPU batch-norm reductions with each channel cut into parts (one group each, merged in
/// part order by a second kernel), on the CPU simulator against double references: the saved mean
/// and rstd, the running statistics, y, and the backward's dγ, dβ and dx. Part lengths 4096 (one
/// part), 50 (four, the last short) and 7 (27 parts of a 189-value channel); bit-identical when
/// run twice. A merge that dropped a part would be off by a quarter of a channel's values.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuBatchNormPartsTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Theory]
    [InlineData(4096)]
    [InlineData(50)]
    [InlineData(7)]
    public void Parts_merge_to_the_double_reference_and_repeat_bit_for_bit(int partLength)
    {
        var shape = new BatchNormShape(3, 5, 63);
        int size = (int)shape.Size, count = shape.PerChannel;
        var x = Rand(size, 41, -2f, 3f); var dy = Rand(size, 42);
        var gamma = Rand(5, 43, 0.5f, 1.5f); var beta = Rand(5, 44);
        var rm0 = Rand(5, 45); var rv0 = Rand(5, 46, 0.5f, 2f);
        const float momentum = 0.1f, eps = 1e-5f;

        // Double references per channel.
        var mean = new double[5]; var variance = new double[5];
        for (int c = 0; c < 5; c++)
        {
            double s = 0, q = 0;
            foreach (int j in Channel(shape, c)) s += x[j];
            mean[c] = s / count;
            foreach (int j in Channel(shape, c)) q += (x[j] - mean[c]) * (x[j] - mean[c]);
            variance[c] = q / count;
        }
        var rstd = variance.Select(v => 1 / Math.Sqrt(v + eps)).ToArray();
        var y = new double[size]; var dx = new double[size];
        var dgamma = new double[5]; var dbeta = new double[5];
        for (int c = 0; c < 5; c++)
        {
            foreach (int j in Channel(shape, c))
            {
                double xh = (x[j] - mean[c]) * rstd[c];
                y[j] = xh * gamma[c] + beta[c];
                dbeta[c] += dy[j];
                dgamma[c] += dy[j] * xh;
            }
            foreach (int j in Channel(shape, c))
            {
                double xh = (x[j] - mean[c]) * rstd[c];
                dx[j] = gamma[c] * rstd[c] * (dy[j] - dbeta[c] / count - xh * dgamma[c] / count);
            }
        }

        int saved = backend.ReductionPartLength;
        backend.ReductionPartLength = partLength;
        try
        {
            Assert.Equal((count + Math.Min(partLength, count) - 1) / Math.Min(partLength, count), backend.ReductionParts(count).Parts);
            var first = Run(shape, x, dy, gamma, beta, rm0, rv0, momentum, eps);
            Close(first.Mean, mean, 1e-6, "mean");
            Close(first.Rstd, rstd, 1e-5, "rstd");
            Close(first.RunningMean, mean.Select((m, c) => 0.9 * rm0[c] + 0.1 * m).ToArray(), 1e-6, "running mean");
            Close(first.RunningVar, variance.Select((v, c) => 0.9 * rv0[c] + 0.1 * v * count / (count - 1)).ToArray(), 1e-5, "running var");
            Close(first.Y, y, 1e-5, "y");
            Close(first.DGamma, dgamma, 1e-5, "dγ");
            Close(first.DBeta, dbeta, 1e-5, "dβ");
            Close(first.Dx, dx, 1e-5, "dx");
            var second = Run(shape, x, dy, gamma, beta, rm0, rv0, momentum, eps);
            Assert.Equal(first.Mean, second.Mean); Assert.Equal(first.Rstd, second.Rstd);
            Assert.Equal(first.DGamma, second.DGamma); Assert.Equal(first.Dx, second.Dx);
        }
        finally
        {
            backend.ReductionPartLength = saved;
        }
    }

    private static IEnumerable<int> Channel(BatchNormShape s, int c)
    {
        for (int n = 0; n < s.N; n++)
            for (int p = 0; p < s.Spatial; p++) yield return (n * s.C + c) * s.Spatial + p;
    }

    private (float[] Mean, float[] Rstd, float[] RunningMean, float[] RunningVar, float[] Y, float[] DGamma, float[] DBeta, float[] Dx) Run(
        BatchNormShape shape, float[] x, float[] dy, float[] gamma, float[] beta, float[] rm0, float[] rv0, float momentum, float eps)
    {
        using var xb = Upload(backend, x); using var dyb = Upload(backend, dy);
        using var g = Upload(backend, gamma); using var bt = Upload(backend, beta);
        using var rm = Upload(backend, rm0); using var rv = Upload(backend, rv0);
        using var yb = backend.Allocate<float>(x.Length); using var dxb = backend.Allocate<float>(x.Length);
        using var mean = backend.Allocate<float>(shape.C); using var rstd = backend.Allocate<float>(shape.C);
        using var dg = backend.Allocate<float>(shape.C); using var db = backend.Allocate<float>(shape.C);
        backend.BatchNorm2d(xb, g, bt, rm, rv, yb, mean, rstd, shape, training: true, momentum, eps);
        backend.BatchNorm2dBackward(xb, dyb, g, mean, rstd, dxb, dg, db, shape, training: true);
        return (backend.ToArray(mean), backend.ToArray(rstd), backend.ToArray(rm), backend.ToArray(rv), backend.ToArray(yb),
                backend.ToArray(dg), backend.ToArray(db), backend.ToArray(dxb));
    }
}
