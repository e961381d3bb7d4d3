using SparseCore.Pass.Prompts;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Prompts.PromptTestKit;

namespace SparseCore.Pass.Tests.Prompts;

/// <summary>Patch prompts: the patch lands where its position says, only its pixels change, its gradient is the patch's; random positions by (seed, step).</summary>
public class PatchPromptTests
{
    private static void CheckPlacement(PatchPrompt prompt, (int Row, int Col) at, bool training)
    {
        int n = 2, c = prompt.Channels, h = prompt.Height, w = prompt.Width, p = prompt.Size;
        var v = Random(c * p * p, 6, -0.4f, 0.4f);
        Set(prompt.Prompt, v);
        var x = Random(n * c * h * w, 7, 0f, 1f);
        var (y, gradV, g) = RunWithGradient(prompt, prompt.Prompt, x, new Shape(n, c, h, w), training);
        Assert.Equal(new[] { c, p, p }, prompt.Prompt.Value.Shape.Dims.ToArray());
        var expectedGrad = new double[v.Length];
        for (int s = 0; s < n; s++)
            for (int ch = 0; ch < c; ch++)
                for (int r = 0; r < h; r++)
                    for (int col = 0; col < w; col++)
                    {
                        int i = ((s * c + ch) * h + r) * w + col;
                        int pr = r - at.Row, pc = col - at.Col;
                        bool inside = pr >= 0 && pr < p && pc >= 0 && pc < p;
                        float sum = x[i] + (inside ? v[(ch * p + pr) * p + pc] : 0f);
                        Assert.Equal(Math.Clamp(sum, 0f, 1f), y[i]);
                        if (inside && sum >= 0f && sum <= 1f) expectedGrad[(ch * p + pr) * p + pc] += g[i];
                    }
        for (int k = 0; k < v.Length; k++) Assert.Equal(expectedGrad[k], gradV[k], 5);
    }

    [Fact]
    public void A_fixed_patch_sits_in_the_top_left_corner()
    {
        using var prompt = new PatchPrompt(Init(), 3, 11, 9, 4);
        CheckPlacement(prompt, (0, 0), training: true);
    }

    [Fact]
    public void A_random_patch_moves_by_seed_and_step_in_training_and_stays_in_the_corner_in_evaluation()
    {
        using var prompt = new PatchPrompt(Init(), 1, 11, 9, 3, PatchPlacement.Random, seed: 5);
        var positions = Enumerable.Range(0, 200).Select(s => prompt.Position((ulong)s)).ToList();
        Assert.All(positions, q => Assert.True(q.Row is >= 0 and <= 8 && q.Col is >= 0 and <= 6));
        Assert.True(positions.Distinct().Count() > 20);
        using (var same = new PatchPrompt(Init(), 1, 11, 9, 3, PatchPlacement.Random, seed: 5))
            Assert.Equal(positions, Enumerable.Range(0, 200).Select(s => same.Position((ulong)s)));
        using (var other = new PatchPrompt(Init(), 1, 11, 9, 3, PatchPlacement.Random, seed: 6))
            Assert.NotEqual(positions, Enumerable.Range(0, 200).Select(s => other.Position((ulong)s)));

        var step3 = prompt.Position(3);
        prompt.Steps = 3;
        CheckPlacement(prompt, step3, training: true);
        Assert.Equal(4ul, prompt.Steps);
        CheckPlacement(prompt, (0, 0), training: false);
        Assert.Equal(4ul, prompt.Steps);
    }

    [Fact]
    public void A_patch_larger_than_the_image_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new PatchPrompt(Init(), 1, 8, 9, 9));
        Assert.Contains("PatchPrompt", e.Message);
    }
}
