using SparseCore.Kernels.Optim;

namespace SparseCore.Kernels.Tests.Optim;

/// <summary>
/// SgdStep and AdamStep against double-precision transcriptions of torch.optim.SGD,
/// torch.optim.Adam and torch.optim.AdamW, run for several steps with a fresh gradient each step.
/// </summary>
public class OptimizerStepTests
{
    private const int Steps = 5;
    private static readonly int[] Sizes = [1, 7, 1003, 100_003];

    public static TheoryData<string, string> SgdCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var b in KernelTestBackends.All)
            foreach (var c in new[] { "plain", "momentum", "dampening", "nesterov", "weight-decay", "all" })
                data.Add(b.Name, c);
        return data;
    }

    private static (float Momentum, float Dampening, bool Nesterov, float WeightDecay) SgdConfig(string name) => name switch
    {
        "plain" => (0f, 0f, false, 0f),
        "momentum" => (0.9f, 0f, false, 0f),
        "dampening" => (0.9f, 0.1f, false, 0f),
        "nesterov" => (0.9f, 0f, true, 0f),
        "weight-decay" => (0f, 0f, false, 5e-4f),
        "all" => (0.9f, 0f, true, 5e-4f),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(SgdCases))]
    public void SgdStep_matches_torch_SGD_over_five_steps(string backendName, string config)
    {
        using var backend = KernelTestBackends.Create(backendName);
        var (mu, tau, nesterov, wd) = SgdConfig(config);
        const float lr = 0.05f;
        foreach (int n in Sizes)
        {
            var p0 = K.Random(n, 1);
            using var param = K.Upload(backend, p0);
            using var grad = backend.Allocate<float>(n);
            // NaN in the buffer proves the first step (FirstStep) never reads it.
            using var buf = mu != 0 ? backend.Allocate<float>(n) : null;
            if (buf is not null) backend.Fill(buf, float.NaN);

            double[] p = K.ToDouble(p0);
            double[]? b = null;
            for (int t = 0; t < Steps; t++)
            {
                var g = K.Random(n, 100 + t);
                backend.Upload<float>(g, grad);
                backend.SgdStep(param, grad, buf, new SgdHyper(lr, mu, tau, wd, nesterov, FirstStep: t == 0), n);

                // torch.optim.SGD, one parameter, in double.
                for (int i = 0; i < n; i++)
                {
                    double d = g[i] + (double)wd * p[i];
                    if (mu != 0)
                    {
                        b ??= new double[n];
                        b[i] = t == 0 ? d : mu * b[i] + (1 - (double)tau) * d;
                        d = nesterov ? d + mu * b[i] : b[i];
                    }
                    p[i] -= lr * d;
                }
            }
            backend.Synchronize();
            K.AssertClose(backend.ToArray(param), p, 1e-5, $"SGD {config} n={n} param");
            if (buf is not null) K.AssertClose(backend.ToArray(buf), b!, 1e-5, $"SGD {config} n={n} momentum buffer");
            // The displacement is the part the optimizer contributes; check it too.
            var got = backend.ToArray(param);
            var dGot = new float[n]; var dRef = new double[n];
            for (int i = 0; i < n; i++) { dGot[i] = got[i] - p0[i]; dRef[i] = p[i] - p0[i]; }
            K.AssertClose(dGot, dRef, 1e-4, $"SGD {config} n={n} displacement");
        }
    }

    public static TheoryData<string, bool> AdamCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var b in KernelTestBackends.All)
            foreach (bool decoupled in new[] { false, true })
                data.Add(b.Name, decoupled);
        return data;
    }

    [Theory]
    [MemberData(nameof(AdamCases))]
    public void AdamStep_matches_torch_Adam_and_AdamW_over_five_steps(string backendName, bool decoupled)
    {
        using var backend = KernelTestBackends.Create(backendName);
        const float lr = 1e-3f, eps = 1e-8f, wd = 1e-2f;
        const double beta1 = 0.9, beta2 = 0.999;
        string what = decoupled ? "AdamW" : "Adam";
        foreach (int n in Sizes)
        {
            var p0 = K.Random(n, 2);
            using var param = K.Upload(backend, p0);
            using var grad = backend.Allocate<float>(n);
            using var m = backend.Allocate<float>(n);
            using var v = backend.Allocate<float>(n);
            backend.Fill(m, 0f);
            backend.Fill(v, 0f);

            double[] p = K.ToDouble(p0), mr = new double[n], vr = new double[n];
            for (int step = 1; step <= Steps; step++)
            {
                // Gradients of mixed scale, including some exactly zero (v stays 0 there under AdamW: eps matters).
                var g = K.Random(n, 200 + step, -2, 2);
                for (int i = 5; i < n; i += 11) g[i] = 0f;
                backend.Upload<float>(g, grad);
                backend.AdamStep(param, grad, m, v, new AdamHyper(lr, beta1, beta2, eps, wd, step, decoupled), n);

                // torch.optim.Adam / AdamW (amsgrad=False, maximize=False), in double.
                double bc1 = 1 - Math.Pow(beta1, step), bc2 = 1 - Math.Pow(beta2, step);
                for (int i = 0; i < n; i++)
                {
                    double gi = g[i];
                    if (decoupled) p[i] *= 1 - (double)lr * wd;
                    else gi += (double)wd * p[i];
                    mr[i] = beta1 * mr[i] + (1 - beta1) * gi;
                    vr[i] = beta2 * vr[i] + (1 - beta2) * gi * gi;
                    double denom = Math.Sqrt(vr[i]) / Math.Sqrt(bc2) + eps;
                    p[i] -= lr / bc1 * mr[i] / denom;
                }
            }
            backend.Synchronize();
            var got = backend.ToArray(param);
            K.AssertClose(got, p, 1e-6, $"{what} n={n} param");
            K.AssertClose(backend.ToArray(m), mr, 1e-6, $"{what} n={n} m");
            K.AssertClose(backend.ToArray(v), vr, 1e-6, $"{what} n={n} v");
            var dGot = new float[n]; var dRef = new double[n];
            for (int i = 0; i < n; i++) { dGot[i] = got[i] - p0[i]; dRef[i] = p[i] - p0[i]; }
            // Rounding p to float each step (~6e-8·|p|) is ~1e-5 of the lr-sized displacement.
            K.AssertClose(dGot, dRef, 1e-4, $"{what} n={n} displacement");
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void SgdStep_with_momentum_but_no_buffer_is_rejected(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var param = backend.Allocate<float>(7);
        using var grad = backend.Allocate<float>(7);
        var ex = Assert.Throws<ArgumentException>(() => backend.SgdStep(param, grad, null, new SgdHyper(0.1f, Momentum: 0.9f), 7));
        Assert.Contains("SgdStep", ex.Message);
        Assert.Contains("momentum", ex.Message);
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void SgdStep_without_momentum_leaves_a_given_buffer_untouched(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var param = K.Upload(backend, [1f, 2f, 3f]);
        using var grad = K.Upload(backend, [1f, 1f, 1f]);
        using var buf = K.Upload(backend, [9f, 9f, 9f]);
        backend.SgdStep(param, grad, buf, new SgdHyper(0.5f), 3);
        Assert.Equal([0.5f, 1.5f, 2.5f], backend.ToArray(param));
        Assert.Equal([9f, 9f, 9f], backend.ToArray(buf));
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void AdamStep_rejects_step_zero(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        using var p = backend.Allocate<float>(3);
        using var g = backend.Allocate<float>(3);
        using var m = backend.Allocate<float>(3);
        using var v = backend.Allocate<float>(3);
        var ex = Assert.Throws<ArgumentException>(() => backend.AdamStep(p, g, m, v, new AdamHyper(1e-3f, Step: 0), 3));
        Assert.Contains("AdamStep", ex.Message);
        Assert.Contains("step", ex.Message);
    }
}
