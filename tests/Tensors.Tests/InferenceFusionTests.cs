using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The inference fusions against the unfused ops they replace, on both backends: the conv epilogue
/// (+ residual, ReLU), a block's two convs as one pair, and batch-norm folded into the conv weights,
/// each within 1e-5 normwise — and a fold that forgets rstd is caught by the same check.
/// </summary>
public class InferenceFusionTests
{
    public static TheoryData<string> Backends() => new(TestBackends.Names);

    [Theory]
    [MemberData(nameof(Backends))]
    public void Conv_epilogue_equals_conv_then_add_then_relu(string backendName)
    {
        var b = TestBackends.Get(backendName);
        bool small = TestBackends.IsSlow(backendName);
        var rng = new System.Random(11);
        int n = small ? 2 : 5, cin = small ? 3 : 13, cout = small ? 5 : 17, h = small ? 7 : 15, w = small ? 6 : 11;
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        // Every CPU forward path: shifted (3×3), one image (tiles shared), strided (phases or packed), 1×1 (plain GEMM).
        foreach (var (images, kernel, stride) in new[] { (n, 3, 1), (1, 3, 1), (n, 3, 2), (1, 3, 2), (n, 1, 1) })
        {
            int pad = kernel / 2, oh = (h + 2 * pad - kernel) / stride + 1, ow = (w + 2 * pad - kernel) / stride + 1;
            var x = Random(b, rng, images, cin, h, w);
            var weight = Random(b, rng, cout, cin, kernel, kernel);
            var bias = Random(b, rng, cout);
            var residual = Random(b, rng, images, cout, oh, ow);
            foreach (var (withResidual, relu) in new[] { (true, true), (false, true), (true, false), (false, false) })
            {
                var fused = F.Conv2dInference(x, weight, bias, stride, pad, withResidual ? residual : null, relu);
                var plain = F.Conv2d(x, weight, bias, stride, pad);
                if (withResidual) plain = F.Add(plain, residual);
                if (relu) plain = F.Relu(plain);
                double error = Norms.RelativeError(fused.ToArray(), plain.ToArray().Select(v => (double)v).ToArray());
                Assert.True(error <= 1e-6, $"{images} images, {kernel}×{kernel} stride {stride}, residual {withResidual}, relu {relu}: normwise error {error:E2}");
            }
            if (stride == 1 && kernel == 3)
                Assert.Throws<TensorShapeException>(() => F.Conv2dInference(x, weight, bias, 2, 1, residual, true));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Conv_pair_equals_conv_relu_conv_then_add_then_relu(string backendName)
    {
        var b = TestBackends.Get(backendName);
        bool small = TestBackends.IsSlow(backendName);
        var rng = new System.Random(13);
        int n = small ? 2 : 6, cin = small ? 3 : 11, mid = small ? 4 : 7, cout = small ? 3 : 11, h = small ? 6 : 14, w = small ? 5 : 13;
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        // Stride 1 (the CPU fuses the pair), stride 2 first (two convs in turn), one image (below a thread each).
        foreach (var (images, stride) in new[] { (n, 1), (n, 2), (1, 1) })
        {
            int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
            var x = Random(b, rng, images, cin, h, w);
            var w1 = Random(b, rng, mid, cin, 3, 3);
            var b1 = Random(b, rng, mid);
            var w2 = Random(b, rng, cout, mid, 3, 3);
            var b2 = Random(b, rng, cout);
            var residual = Random(b, rng, images, cout, oh, ow);
            foreach (var (withResidual, relu) in new[] { (true, true), (false, false) })
            {
                var fused = F.Conv2dPairInference(x, w1, b1, stride, 1, w2, b2, 1, withResidual ? residual : null, relu);
                var plain = F.Conv2d(F.Relu(F.Conv2d(x, w1, b1, stride, 1)), w2, b2, 1, 1);
                if (withResidual) plain = F.Add(plain, residual);
                if (relu) plain = F.Relu(plain);
                double error = Norms.RelativeError(fused.ToArray(), plain.ToArray().Select(v => (double)v).ToArray());
                Assert.True(error <= 1e-6, $"{images} images, stride {stride}, residual {withResidual}, relu {relu}: normwise error {error:E2}");
            }
            var narrow = Random(b, rng, cout, mid + 1, 3, 3);
            var e = Assert.Throws<TensorShapeException>(() => F.Conv2dPairInference(x, w1, b1, stride, 1, narrow, b2, 1, residual, true));
            Assert.Contains("Conv2dPairInference", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Folded_batch_norm_matches_batch_norm_of_the_conv(string backendName)
    {
        var b = TestBackends.Get(backendName);
        bool small = TestBackends.IsSlow(backendName);
        var rng = new System.Random(12);
        int n = small ? 2 : 4, cin = small ? 3 : 7, cout = small ? 5 : 19, h = small ? 6 : 13, w = small ? 7 : 9;
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        var x = Random(b, rng, n, cin, h, w);
        var weight = Random(b, rng, cout, cin, 3, 3);
        var gamma = Random(b, rng, cout);
        var beta = Random(b, rng, cout);
        var mean = Random(b, rng, cout);
        var variance = Tensor.FromArray(b, Enumerable.Range(0, cout).Select(_ => (float)(0.05 + 2 * rng.NextDouble())).ToArray(), new Shape(cout));
        foreach (var convBias in new[] { null, Random(b, rng, cout) })
        {
            var expected = F.BatchNorm2d(F.Conv2d(x, weight, convBias, 2, 1), gamma, beta, mean, variance, training: false, eps: 1e-5f)
                .ToArray().Select(v => (double)v).ToArray();
            var (fw, fb) = F.FoldBatchNorm(weight, convBias, gamma, beta, mean, variance, 1e-5f);
            var folded = F.Conv2dInference(x, fw, fb, 2, 1, null, relu: false);
            double error = Norms.RelativeError(folded.ToArray(), expected);
            Assert.True(error <= 1e-5, $"conv bias {convBias is not null}: normwise error {error:E2}");

            // The check can fail: scaling by γ alone (no rstd) is far off.
            var wrong = F.Conv2dInference(x, F.Mul(weight, gamma, axis: 0), fb, 2, 1, null, relu: false);
            Assert.True(Norms.RelativeError(wrong.ToArray(), expected) > 1e-2);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_weight_scale_gives_the_folded_weights_results_bit_for_bit(string backendName)
    {
        var b = TestBackends.Get(backendName);
        bool small = TestBackends.IsSlow(backendName);
        var rng = new System.Random(17);
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        // 64 output channels over 7×7 take the CPU's lane form (which scales as it packs); 19 the other forms (a scaled copy).
        foreach (var (n, cin, cout, h) in small ? new[] { (2, 3, 5, 6) } : new[] { (4, 5, 64, 7), (3, 7, 19, 9) })
        {
            var x = Random(b, rng, n, cin, h, h);
            var weight = Random(b, rng, cout, cin, 3, 3);
            var (gamma, beta, mean, variance) = (Random(b, rng, cout), Random(b, rng, cout), Random(b, rng, cout), Variance(b, rng, cout));
            var convBias = Random(b, rng, cout);
            var (fw, fb) = F.FoldBatchNorm(weight, convBias, gamma, beta, mean, variance, 1e-5f);
            var (scale, sb) = F.FoldBatchNormScale(convBias, gamma, beta, mean, variance, 1e-5f);
            Assert.Equal(fb.ToArray(), sb.ToArray());
            foreach (int stride in new[] { 1, 2 })
            {
                int o = (h - 1) / stride + 1;
                var residual = Random(b, rng, n, cout, o, o);
                var folded = F.Conv2dInference(x, fw, fb, stride, 1, residual, relu: true);
                var scaled = F.Conv2dInference(x, weight, sb, stride, 1, residual, relu: true, weightScale: scale);
                Assert.Equal(folded.ToArray(), scaled.ToArray());
            }

            // The pair: a second conv of the same width, each conv with its own scale.
            var w2 = Random(b, rng, cout, cout, 3, 3);
            var (g2, be2, m2, v2) = (Random(b, rng, cout), Random(b, rng, cout), Random(b, rng, cout), Variance(b, rng, cout));
            var (fw2, fb2) = F.FoldBatchNorm(w2, null, g2, be2, m2, v2, 1e-5f);
            var (scale2, sb2) = F.FoldBatchNormScale(null, g2, be2, m2, v2, 1e-5f);
            var res = Random(b, rng, n, cout, h, h);
            var pairFolded = F.Conv2dPairInference(x, fw, fb, 1, 1, fw2, fb2, 1, res, relu: true);
            var pairScaled = F.Conv2dPairInference(x, weight, sb, 1, 1, w2, sb2, 1, res, relu: true, scale1: scale, scale2: scale2);
            Assert.Equal(pairFolded.ToArray(), pairScaled.ToArray());

            var e = Assert.Throws<TensorShapeException>(() => F.Conv2dInference(x, weight, sb, 1, 1, null, true, weightScale: Random(b, rng, cout + 1)));
            Assert.Contains("weightScale", e.Message);
            e = Assert.Throws<TensorShapeException>(() => F.Conv2dPairInference(x, weight, sb, 1, 1, w2, sb2, 1, null, true, scale2: Random(b, rng, cout - 1)));
            Assert.Contains("scale2", e.Message);
            e = Assert.Throws<TensorShapeException>(() => F.FoldBatchNormScale(null, gamma, beta, Random(b, rng, cout + 1), variance, 1e-5f));
            Assert.Contains("runningMean", e.Message);
            e = Assert.Throws<TensorShapeException>(() => F.FoldBatchNormScale(null, Random(b, rng, cout, 1), beta, mean, variance, 1e-5f));
            Assert.Contains("gamma", e.Message);
        }
    }

    [Fact]
    public void The_fused_conv_refuses_to_run_where_a_tape_wants_gradients()
    {
        var b = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        var rng = new System.Random(13);
        var x = Random(b, rng, 1, 2, 5, 5);
        var weight = Random(b, rng, 3, 2, 3, 3);
        weight.RequiresGrad = true;
        var e = Assert.Throws<InvalidOperationException>(() => F.Conv2dInference(x, weight, null, 1, 1, null, true));
        Assert.Contains("Autograd.NoGrad", e.Message);
        var second = Random(b, rng, 2, 3, 3, 3);
        e = Assert.Throws<InvalidOperationException>(() => F.Conv2dPairInference(x, weight, null, 1, 1, second, null, 1, null, true));
        Assert.Contains("Autograd.NoGrad", e.Message);
    }

    private static Tensor Variance(Kernels.Backend b, System.Random rng, int channels) =>
        Tensor.FromArray(b, Enumerable.Range(0, channels).Select(_ => (float)(0.05 + 2 * rng.NextDouble())).ToArray(), new Shape(channels));

    private static Tensor Random(Kernels.Backend b, System.Random rng, params int[] dims)
    {
        var shape = new Shape(dims);
        return Tensor.FromArray(b, Enumerable.Range(0, shape.Size).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), shape);
    }
}
