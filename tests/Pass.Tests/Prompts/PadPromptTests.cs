using SparseCore.Pass.Prompts;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Prompts.PromptTestKit;

namespace SparseCore.Pass.Tests.Prompts;

/// <summary>The border prompt: default width, identity at zero, only border pixels move, only border entries of V learn, clamping.</summary>
public class PadPromptTests
{
    [Theory]
    [InlineData(28, 28, 2)]
    [InlineData(32, 32, 2)]
    [InlineData(224, 224, 16)]
    [InlineData(64, 96, 5)]
    [InlineData(8, 8, 1)]
    public void Default_width_scales_16_px_at_224(int h, int w, int expected) =>
        Assert.Equal(expected, VisualPrompt.DefaultPad(h, w));

    [Fact]
    public void Zero_initialised_prompt_is_the_identity_on_images_in_0_1()
    {
        using var prompt = new PadPrompt(Init(), 3, 13, 11);
        Assert.All(prompt.Prompt.Value.ToArray(), v => Assert.Equal(0f, v));
        var x = Random(2 * 3 * 13 * 11, 1, 0f, 1f);
        x[0] = 0f;
        x[1] = 1f;
        using var scope = new TensorScope();
        Assert.Equal(x, prompt.Forward(Tensor.FromArray(Cpu, x, new Shape(2, 3, 13, 11))).ToArray());
    }

    [Fact]
    public void Only_border_pixels_change_and_only_border_entries_of_V_receive_gradient()
    {
        const int n = 2, c = 3, h = 13, w = 11, pad = 3;
        using var prompt = new PadPrompt(Init(), c, h, w, pad);
        Assert.Equal("prompt", prompt.NamedParameters().Single().Name);
        var v = Random(c * h * w, 2, -0.3f, 0.3f);
        Set(prompt.Prompt, v);
        // Black pixels (the Fashion-MNIST border) must still pass the gradient to V.
        var x = Random(n * c * h * w, 3, 0f, 1f);
        for (int i = 0; i < x.Length; i += 4) x[i] = 0f;
        var (y, gradV, g) = RunWithGradient(prompt, prompt.Prompt, x, new Shape(n, c, h, w));

        for (int ch = 0; ch < c; ch++)
            for (int r = 0; r < h; r++)
                for (int col = 0; col < w; col++)
                {
                    bool border = r < pad || r >= h - pad || col < pad || col >= w - pad;
                    int vi = (ch * h + r) * w + col;
                    double expectedGrad = 0;
                    for (int s = 0; s < n; s++)
                    {
                        int i = ((s * c + ch) * h + r) * w + col;
                        float sum = x[i] + (border ? v[vi] : 0f);
                        Assert.Equal(Math.Clamp(sum, 0f, 1f), y[i]);
                        if (!border) Assert.Equal(x[i], y[i]);
                        if (border && sum >= 0f && sum <= 1f) expectedGrad += g[i];
                    }
                    if (border) Assert.Equal(expectedGrad, gradV[vi], 5);
                    else Assert.Equal(0f, gradV[vi]);
                }
        Assert.Contains(gradV, d => d != 0f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void A_frame_that_leaves_no_centre_is_rejected(int pad)
    {
        var e = Assert.Throws<ArgumentException>(() => new PadPrompt(Init(), 1, 10, 12, pad));
        Assert.Contains("PadPrompt", e.Message);
    }

    [Fact]
    public void Images_of_another_size_are_rejected_by_name()
    {
        using var prompt = new PadPrompt(Init(), 3, 32, 32);
        using var scope = new TensorScope();
        var e = Assert.Throws<TensorShapeException>(() => prompt.Forward(Tensor.Zeros(Cpu, new Shape(2, 1, 28, 28))));
        Assert.Contains("PadPrompt", e.Message);
    }
}
