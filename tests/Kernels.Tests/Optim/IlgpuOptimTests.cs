using SparseCore.Kernels.Optim;
using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Optim;

/// <summary>
/// The ILGPU optimizer steps on ILGPU's CPU simulator (bounds-checked views) at small odd shapes,
/// against double-precision references written out here.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuOptimTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Theory]
    [InlineData(0.9f, true)]
    [InlineData(0.9f, false)]
    [InlineData(0f, false)]
    public void Sgd_two_steps_match_pytorch_formulas(float momentum, bool nesterov)
    {
        const int n = 301;
        const float lr = 0.1f, wd = 0.01f, dampening = 0.1f;
        var p = Rand(n, 22); var buf = new float[n];
        using var pb = Upload(backend, p); using var mb = Upload(backend, buf);
        var pd = p.Select(v => (double)v).ToArray(); var bd = new double[n];
        for (int step = 0; step < 2; step++)
        {
            var g = Rand(n, 23 + step);
            using var gb = Upload(backend, g);
            var hyper = new SgdHyper(lr, momentum, dampening, wd, nesterov, FirstStep: step == 0);
            backend.SgdStep(pb, gb, momentum != 0 ? mb : null, hyper, n);
            for (int i = 0; i < n; i++)
            {
                double d = g[i] + wd * pd[i];
                if (momentum != 0)
                {
                    bd[i] = step == 0 ? d : momentum * bd[i] + (1 - dampening) * d;
                    d = nesterov ? d + momentum * bd[i] : bd[i];
                }
                pd[i] -= lr * d;
            }
        }
        Close(backend.ToArray(pb), pd, GemmTolerance, "sgd param");
        if (momentum != 0) Close(backend.ToArray(mb), bd, GemmTolerance, "sgd momentum");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adam_and_AdamW_three_steps_match_pytorch_formulas(bool decoupled)
    {
        const int n = 257;
        const float lr = 1e-2f, eps = 1e-8f, wd = 0.05f;
        const double b1 = 0.9, b2 = 0.999;
        string what = decoupled ? "adamw" : "adam";
        var p = Rand(n, 30);
        using var pb = Upload(backend, p); using var mb = Upload(backend, new float[n]); using var vb = Upload(backend, new float[n]);
        var pd = p.Select(v => (double)v).ToArray(); var md = new double[n]; var vd = new double[n];
        for (int step = 1; step <= 3; step++)
        {
            var g = Rand(n, 30 + step);
            using var gb = Upload(backend, g);
            backend.AdamStep(pb, gb, mb, vb, new AdamHyper(lr, b1, b2, eps, wd, step, decoupled), n);
            for (int i = 0; i < n; i++)
            {
                double gi = decoupled ? g[i] : g[i] + wd * pd[i];
                md[i] = b1 * md[i] + (1 - b1) * gi;
                vd[i] = b2 * vd[i] + (1 - b2) * gi * gi;
                double mHat = md[i] / (1 - Math.Pow(b1, step)), vHat = vd[i] / (1 - Math.Pow(b2, step));
                pd[i] = pd[i] * (decoupled ? 1 - lr * wd : 1) - lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        Close(backend.ToArray(pb), pd, GemmTolerance, $"{what} param");
        Close(backend.ToArray(mb), md, GemmTolerance, $"{what} m");
        Close(backend.ToArray(vb), vd, 1e-4, $"{what} v");
    }
}
