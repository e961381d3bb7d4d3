namespace SparseCore.Kernels.Tests.Softmax;

/// <summary>The fused cross-entropy at kernel level: stability at extreme logits and label smoothing.</summary>
public class CrossEntropyTests
{
    /// <summary>Double reference: log-softmax, smoothed loss, and dlogits for the given dloss.</summary>
    private static (double[] Loss, double[] LogProbs, double[] Grad) Reference(float[] logits, int[] labels, float[] dloss, int rows, int cols, float smoothing)
    {
        var loss = new double[rows]; var lp = new double[rows * cols]; var grad = new double[rows * cols];
        double eps = smoothing;
        for (int r = 0; r < rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < cols; c++) max = Math.Max(max, logits[r * cols + c]);
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.Exp(logits[r * cols + c] - max);
            double lse = max + Math.Log(sum), all = 0;
            for (int c = 0; c < cols; c++) { lp[r * cols + c] = logits[r * cols + c] - lse; all += lp[r * cols + c]; }
            loss[r] = -(1 - eps) * lp[r * cols + labels[r]] - eps / cols * all;
            for (int c = 0; c < cols; c++)
            {
                double target = (c == labels[r] ? 1 - eps : 0) + eps / cols;
                grad[r * cols + c] = dloss[r] * (Math.Exp(lp[r * cols + c]) - target);
            }
        }
        return (loss, lp, grad);
    }

    private static (float[] Loss, float[] LogProbs, float[] Grad) Run(Backend backend, float[] logits, int[] labels, float[] dloss, int rows, int cols, float smoothing)
    {
        using var x = K.Upload(backend, logits);
        using var l = K.Upload(backend, labels);
        using var lp = backend.Allocate<float>(rows * cols);
        using var loss = backend.Allocate<float>(rows);
        using var dl = K.Upload(backend, dloss);
        using var dx = backend.Allocate<float>(rows * cols);
        backend.CrossEntropy(x, l, lp, loss, rows, cols, smoothing);
        backend.CrossEntropyBackward(lp, l, dl, dx, rows, cols, smoothing);
        return (backend.ToArray(loss), backend.ToArray(lp), backend.ToArray(dx));
    }

    public static TheoryData<string, float> Smoothings()
    {
        var data = new TheoryData<string, float>();
        foreach (var b in KernelTestBackends.All) { data.Add(b.Name, 0f); data.Add(b.Name, 0.1f); }
        return data;
    }

    [Theory]
    [MemberData(nameof(Smoothings))]
    public void Huge_logits_give_finite_loss_and_gradients(string backendName, float smoothing)
    {
        using var backend = KernelTestBackends.Create(backendName);
        const int rows = 6, cols = 11;
        var logits = K.Random(rows * cols, 1, -3, 3);
        // Row 0: one +1e4 (the label); row 1: one +1e4 elsewhere, label at a −1e4;
        // row 2: all ±1e4 alternating; row 3: every logit 1e4 (a flat row); row 4: all −1e4; row 5 normal.
        logits[0 * cols + 3] = 1e4f;
        logits[1 * cols + 0] = 1e4f; logits[1 * cols + 5] = -1e4f;
        for (int c = 0; c < cols; c++) logits[2 * cols + c] = c % 2 == 0 ? 1e4f : -1e4f;
        for (int c = 0; c < cols; c++) logits[3 * cols + c] = 1e4f;
        for (int c = 0; c < cols; c++) logits[4 * cols + c] = -1e4f;
        int[] labels = [3, 5, 1, 10, 4, 0];
        float[] dloss = Enumerable.Repeat(1f / rows, rows).ToArray();

        var (loss, lp, grad) = Run(backend, logits, labels, dloss, rows, cols, smoothing);
        for (int i = 0; i < loss.Length; i++) Assert.True(float.IsFinite(loss[i]), $"loss[{i}] = {loss[i]}");
        for (int i = 0; i < lp.Length; i++) Assert.True(float.IsFinite(lp[i]), $"logProbs[{i}] = {lp[i]}");
        for (int i = 0; i < grad.Length; i++) Assert.True(float.IsFinite(grad[i]), $"dlogits[{i}] = {grad[i]}");

        var (rl, rlp, rg) = Reference(logits, labels, dloss, rows, cols, smoothing);
        K.AssertClose(loss, rl, 1e-5, "loss");
        K.AssertClose(lp, rlp, 1e-5, "logProbs");
        K.AssertClose(grad, rg, 1e-5, "dlogits");
        // Spot values: a confident correct row costs ~0 (without smoothing), a confident wrong one ~2e4.
        if (smoothing == 0f)
        {
            Assert.Equal(0f, loss[0], 1e-3f);
            Assert.Equal(2e4f, loss[1], 1f);
            Assert.Equal(MathF.Log(cols), loss[3], 1e-4f);
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void Label_smoothing_loss_and_gradient_match_the_double_reference(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        foreach (var (rows, cols) in new[] { (1, 7), (37, 10), (129, 1001) })
        {
            var logits = K.Random(rows * cols, rows, -8, 8);
            var rng = new System.Random(cols);
            var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(cols)).ToArray();
            var dloss = K.Random(rows, 3, 0.5, 1.5);
            var (loss, lp, grad) = Run(backend, logits, labels, dloss, rows, cols, 0.1f);
            var (rl, rlp, rg) = Reference(logits, labels, dloss, rows, cols, 0.1f);
            K.AssertClose(loss, rl, 1e-5, $"smoothed loss {rows}×{cols}");
            K.AssertClose(lp, rlp, 1e-5, $"logProbs {rows}×{cols}");
            K.AssertClose(grad, rg, 1e-5, $"smoothed dlogits {rows}×{cols}");

            // Consistency with the kernel's own unsmoothed loss: smoothed = (1−ε)·nll + ε·(CE against uniform).
            var (plain, _, _) = Run(backend, logits, labels, dloss, rows, cols, 0f);
            for (int r = 0; r < rows; r++)
            {
                double uniformCe = 0;
                for (int c = 0; c < cols; c++) uniformCe -= rlp[r * cols + c] / cols;
                Assert.Equal(0.9 * plain[r] + 0.1 * uniformCe, loss[r], 1e-3 * Math.Max(1, Math.Abs(rl[r])));
            }
        }
    }
}
