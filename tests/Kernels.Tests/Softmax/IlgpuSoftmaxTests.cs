
using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Softmax;

/// <summary>
/// The ILGPU softmax and cross-entropy kernels on ILGPU's CPU simulator (bounds-checked views) at
/// small odd shapes, against double-precision references written out here.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuSoftmaxTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Theory]
    [InlineData(5, 37, false)]
    [InlineData(5, 37, true)]
    [InlineData(3, 300, false)]
    [InlineData(3, 300, true)]
    public void Softmax_and_backward_match_double_reference(int rows, int cols, bool log)
    {
        var x = Rand(rows * cols, 13, -4f, 4f);
        var dy = Rand(rows * cols, 14);
        using var xb = Upload(backend, x); using var yb = backend.Allocate<float>(x.Length);
        using var dyb = Upload(backend, dy); using var dxb = backend.Allocate<float>(x.Length);
        backend.Softmax(xb, yb, rows, cols, log);
        backend.SoftmaxBackward(yb, dyb, dxb, rows, cols, log);
        var y = new double[x.Length]; var dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0, gsum = 0, dot = 0;
            for (int c = 0; c < cols; c++) max = Math.Max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) sum += Math.Exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++)
            {
                double p = Math.Exp(x[r * cols + c] - max) / sum;
                y[r * cols + c] = log ? Math.Log(p) : p;
                gsum += dy[r * cols + c]; dot += dy[r * cols + c] * p;
            }
            for (int c = 0; c < cols; c++)
            {
                double p = Math.Exp(x[r * cols + c] - max) / sum;
                dx[r * cols + c] = log ? dy[r * cols + c] - p * gsum : p * (dy[r * cols + c] - dot);
            }
        }
        Close(backend.ToArray(yb), y, TranscendentalTolerance, "softmax");
        Close(backend.ToArray(dxb), dx, TranscendentalTolerance, "softmax backward");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void CrossEntropy_with_label_smoothing_matches_double_reference(float smoothing)
    {
        const int rows = 6, cols = 13;
        var x = Rand(rows * cols, 15, -3f, 3f);
        var labels = new[] { 0, 12, 5, 5, 7, 1 };
        var dloss = Rand(rows, 16);
        using var xb = Upload(backend, x); using var lb = Upload(backend, labels);
        using var lpb = backend.Allocate<float>(x.Length); using var lossb = backend.Allocate<float>(rows);
        using var dlb = Upload(backend, dloss); using var dxb = backend.Allocate<float>(x.Length);
        backend.CrossEntropy(xb, lb, lpb, lossb, rows, cols, smoothing);
        backend.CrossEntropyBackward(lpb, lb, dlb, dxb, rows, cols, smoothing);
        var lp = new double[x.Length]; var loss = new double[rows]; var dx = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < cols; c++) max = Math.Max(max, x[r * cols + c]);
            for (int c = 0; c < cols; c++) sum += Math.Exp(x[r * cols + c] - max);
            for (int c = 0; c < cols; c++)
            {
                int j = r * cols + c;
                lp[j] = x[j] - max - Math.Log(sum);
                double target = (c == labels[r] ? 1 - smoothing : 0) + smoothing / (double)cols;
                loss[r] -= target * lp[j];
                dx[j] = dloss[r] * (Math.Exp(lp[j]) - target);
            }
        }
        Close(backend.ToArray(lpb), lp, TranscendentalTolerance, "log-probs");
        Close(backend.ToArray(lossb), loss, TranscendentalTolerance, "loss");
        Close(backend.ToArray(dxb), dx, TranscendentalTolerance, "dlogits");
    }
}
