using SparseCore.Pass.Prompts;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Prompts.PromptTestKit;

namespace SparseCore.Pass.Tests.Prompts;

/// <summary>The expansive prompt: the shrunk image in the centre against a bilinear reference, the frame learnable, gradients only on the frame.</summary>
public class ExpansivePromptTests
{
    /// <summary>PyTorch's bilinear resize (align_corners=False, no antialiasing) of one plane, in doubles.</summary>
    private static double Bilinear(float[] plane, int h, int w, int oh, int ow, int r, int c)
    {
        static (int, int, double) Source(int o, int inSize, int outSize)
        {
            double s = Math.Max((o + 0.5) * inSize / outSize - 0.5, 0);
            int i0 = (int)Math.Floor(s);
            return (i0, Math.Min(i0 + 1, inSize - 1), s - i0);
        }
        var (r0, r1, a) = Source(r, h, oh);
        var (c0, c1, b) = Source(c, w, ow);
        return (1 - a) * ((1 - b) * plane[r0 * w + c0] + b * plane[r0 * w + c1])
             + a * ((1 - b) * plane[r1 * w + c0] + b * plane[r1 * w + c1]);
    }

    [Fact]
    public void The_shrunk_image_sits_in_the_centre_and_only_the_frame_learns()
    {
        const int n = 2, c = 3, h = 13, w = 11, pad = 2;
        using var prompt = new ExpansivePrompt(Init(), c, h, w, pad);
        var v = Random(c * h * w, 4, 0f, 0.5f);
        Set(prompt.Prompt, v);
        var x = Random(n * c * h * w, 5, 0f, 1f);
        var (y, gradV, _) = RunWithGradient(prompt, prompt.Prompt, x, new Shape(n, c, h, w));

        for (int s = 0; s < n; s++)
            for (int ch = 0; ch < c; ch++)
            {
                var plane = x.AsSpan(((s * c) + ch) * h * w, h * w).ToArray();
                for (int r = 0; r < h; r++)
                    for (int col = 0; col < w; col++)
                    {
                        bool border = r < pad || r >= h - pad || col < pad || col >= w - pad;
                        double expected = border
                            ? Math.Clamp(v[(ch * h + r) * w + col], 0, 1)
                            : Bilinear(plane, h, w, h - 2 * pad, w - 2 * pad, r - pad, col - pad);
                        Assert.Equal(expected, y[((s * c + ch) * h + r) * w + col], 5);
                        if (!border) Assert.Equal(0f, gradV[(ch * h + r) * w + col]);
                    }
            }
        Assert.Contains(gradV, d => d != 0f);
    }

    [Fact]
    public void Bilinear_rows_are_convex_combinations_and_the_frame_rows_are_empty()
    {
        var m = ExpansivePrompt.PlacedResize(10, 2);
        for (int r = 0; r < 10; r++)
        {
            double sum = m.AsSpan(r * 10, 10).ToArray().Sum();
            Assert.Equal(r is < 2 or >= 8 ? 0.0 : 1.0, sum, 6);
        }
    }
}
