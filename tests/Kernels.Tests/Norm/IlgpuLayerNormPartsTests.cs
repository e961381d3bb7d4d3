using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Norm;

/// <summary>
/// The layer-norm parameter gradients over row parts (one thread per part and column, then the
/// parts summed in order) on the CPU simulator against the double reference: 1, 4 (last short)
/// and 10 parts of 10 rows; bit-identical when run twice.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuLayerNormPartsTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Theory]
    [InlineData(64)]
    [InlineData(3)]
    [InlineData(1)]
    public void Gamma_and_beta_gradients_over_row_parts_match_double_reference(int rowsPerPart)
    {
        const int rows = 10, cols = 13;
        var x = Rand(rows * cols, 51, -2f, 2f); var dy = Rand(rows * cols, 52);
        var gamma = Rand(cols, 53, 0.5f, 1.5f); var beta = Rand(cols, 54);
        var wantGamma = new double[cols]; var wantBeta = new double[cols];
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (int c = 0; c < cols; c++) mean += x[r * cols + c];
            mean /= cols;
            for (int c = 0; c < cols; c++) variance += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
            double rstd = 1 / Math.Sqrt(variance / cols + 1e-5);
            for (int c = 0; c < cols; c++)
            {
                wantGamma[c] += dy[r * cols + c] * (x[r * cols + c] - mean) * rstd;
                wantBeta[c] += dy[r * cols + c];
            }
        }
        int saved = backend.ReductionRowsPerPart;
        backend.ReductionRowsPerPart = rowsPerPart;
        try
        {
            var first = Run(x, dy, gamma, beta, rows, cols);
            Close(first.DGamma, wantGamma, 1e-5, "dγ");
            Close(first.DBeta, wantBeta, 1e-5, "dβ");
            var second = Run(x, dy, gamma, beta, rows, cols);
            Assert.Equal(first.DGamma, second.DGamma);
            Assert.Equal(first.DBeta, second.DBeta);
        }
        finally
        {
            backend.ReductionRowsPerPart = saved;
        }
    }

    private (float[] DGamma, float[] DBeta) Run(float[] x, float[] dy, float[] gamma, float[] beta, int rows, int cols)
    {
        using var xb = Upload(backend, x); using var dyb = Upload(backend, dy);
        using var g = Upload(backend, gamma); using var b = Upload(backend, beta);
        using var y = backend.Allocate<float>(x.Length); using var dx = backend.Allocate<float>(x.Length);
        using var mean = backend.Allocate<float>(rows); using var rstd = backend.Allocate<float>(rows);
        using var dg = backend.Allocate<float>(cols); using var db = backend.Allocate<float>(cols);
        backend.LayerNorm(xb, g, b, y, mean, rstd, rows, cols, 1e-5f);
        backend.LayerNormBackward(xb, dyb, g, mean, rstd, dx, dg, db, rows, cols);
        return (backend.ToArray(dg), backend.ToArray(db));
    }
}
