using SparseCore.Kernels.Layout;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>
/// The ViT attention stack against double references on both backends: the layout ops (permute,
/// slice, concat, patchify), scaled-dot-product attention and torch-convention multi-head attention.
/// </summary>
public class AttentionOpTests
{
    private static readonly string[] Names =
    [
        "permute:0213", "permute:3102", "permute:rank3", "slice:1", "slice:2", "concat:1", "concat:0",
        "patchify:3", "patchify:4", "sdpa:rank3", "sdpa:rank4", "mha",
    ];

    /// <summary>Layout ops are exact; attention's GEMMs and softmax stay far inside this too.</summary>
    private const double Tolerance = 1e-5;

    public static IEnumerable<object[]> BackendCases() => from b in TestBackends.Names from n in Names select new object[] { b, n };

    public static IEnumerable<object[]> Cases() => Names.Select(n => new object[] { n });

    public static OpCase Create(string name, bool small)
    {
        var rng = new System.Random(StableSeed.Of(name));
        var parts = name.Split(':');
        switch (parts[0])
        {
            case "permute":
            {
                (int[] dims, int[] perm) = parts[1] switch
                {
                    "0213" => (small ? [2, 3, 3, 5] : new[] { 3, 17, 5, 13 }, new[] { 0, 2, 1, 3 }),
                    "3102" => (small ? [2, 3, 4, 5] : [3, 7, 11, 13], [3, 1, 0, 2]),
                    _ => (small ? [3, 4, 5] : [9, 33, 17], [2, 0, 1]),
                };
                var x = RefTensor.Random(rng, dims);
                // The [B, T, heads, d] ↔ [B, heads, T, d] case goes through Transpose, the rest through Permute.
                Func<Tensor[], Tensor> run = parts[1] == "0213" ? t => F.Transpose(t[0], 1, 2) : t => F.Permute(t[0], perm);
                return new OpCase(LayoutRefOps.Permute(dims, perm), [x], run, Tolerance);
            }
            case "slice":
            {
                int axis = int.Parse(parts[1]);
                int[] dims = small ? [3, 7, 5] : [9, 65, 33];
                var (start, length) = axis == 1 ? (small ? (2, 4) : (1, 63)) : (small ? (1, 3) : (16, 17));
                return new OpCase(LayoutRefOps.Slice(dims, axis, start, length), [RefTensor.Random(rng, dims)],
                    t => F.Slice(t[0], axis, start, length), Tolerance);
            }
            case "concat":
            {
                int axis = int.Parse(parts[1]);
                // axis 1: the ViT class token [B, 1, E] before the patch rows [B, T, E], plus a third part.
                int[][] shapes = axis == 1
                    ? (small ? [[3, 1, 5], [3, 4, 5], [3, 2, 5]] : [[9, 1, 33], [9, 64, 33], [9, 3, 33]])
                    : (small ? [[2, 3, 5], [1, 3, 5]] : [[7, 17, 9], [5, 17, 9]]);
                var inputs = shapes.Select(s => RefTensor.Random(rng, s)).ToArray();
                return new OpCase(LayoutRefOps.Concat(shapes, axis), inputs, t => F.Concat(t, axis), Tolerance);
            }
            case "patchify":
            {
                int p = int.Parse(parts[1]);
                (int n, int c, int h, int w) = p == 3 ? (small ? (2, 3, 6, 9) : (5, 3, 33, 21)) : (small ? (1, 2, 8, 4) : (3, 3, 32, 32));
                return new OpCase(LayoutRefOps.Patchify(n, c, h, w, p), [RefTensor.Random(rng, n, c, h, w)], t => F.Patchify(t[0], p), Tolerance);
            }
            case "sdpa":
            {
                (int b, int heads, int t, int s, int d, int dv) = small ? (1, 3, 5, 7, 3, 5) : (3, 5, 65, 33, 17, 19);
                bool rank4 = parts[1] == "rank4";
                int[] Shape(int len, int feat) => rank4 ? [b, heads, len, feat] : [b * heads, len, feat];
                var q = RefTensor.Random(rng, Shape(t, d)); var k = RefTensor.Random(rng, Shape(s, d)); var v = RefTensor.Random(rng, Shape(s, dv));
                return new OpCase(AttentionRefOps.ScaledDotProduct(b * heads, t, s, d, dv, Shape(t, dv)), [q, k, v],
                    x => F.ScaledDotProductAttention(x[0], x[1], x[2]), Tolerance);
            }
            case "mha":
            {
                (int b, int t, int e, int heads) = small ? (3, 5, 12, 3) : (5, 17, 36, 3);
                double scale = 1.7 / Math.Sqrt(e);
                var inputs = new[] { RefTensor.Random(rng, b, t, e), Scaled(RefTensor.Random(rng, 3 * e, e), scale), Scaled(RefTensor.Random(rng, 3 * e), scale),
                                     Scaled(RefTensor.Random(rng, e, e), scale), Scaled(RefTensor.Random(rng, e), scale) };
                return new OpCase(AttentionRefOps.MultiHead(b, t, e, heads), inputs,
                    x => F.MultiHeadAttention(x[0], x[1], x[2], x[3], x[4], heads), Tolerance);
            }
            default:
                throw new ArgumentException($"unknown attention case {name}");
        }
    }

    private static RefTensor Scaled(RefTensor t, double s)
    {
        for (int i = 0; i < t.Size; i++) t.Data[i] *= s;
        return t;
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backend, string name) =>
        OpCheck.ForwardAndBackward(backend, name, Create(name, TestBackends.IsSlow(backend)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string name) => OpCheck.ReferenceMatchesFiniteDifferences(name, Create(name, small: true));

    [Theory]
    [InlineData("permute:3102")]
    [InlineData("concat:1")]
    [InlineData("patchify:3")]
    [InlineData("sdpa:rank3")]
    [InlineData("mha")]
    public void A_backward_off_by_one_percent_fails_the_check(string name) => OpCheck.ScaledBackwardFails(name, Create(name, small: true));

    [Fact]
    public void Bad_shapes_are_rejected_naming_the_op_before_any_kernel_runs()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        Tensor Z(params int[] s) => Tensor.Zeros(backend, new Shape(s));
        var cases = new (string Op, Func<object> Run)[]
        {
            ("Patchify", () => F.Patchify(Z(2, 3, 9, 8), 3)),            // width 8 is not a multiple of 3
            ("Patchify", () => F.Patchify(Z(2, 3, 10, 9), 3)),           // height 10 is not a multiple of 3
            ("Patchify", () => F.Patchify(Z(3, 9, 9), 3)),               // not an image batch
            ("MultiHeadAttention", () => F.MultiHeadAttention(Z(2, 5, 12), Z(36, 12), Z(36), Z(12, 12), Z(12), 5)),
            ("MultiHeadAttention", () => F.MultiHeadAttention(Z(2, 5, 12), Z(24, 12), Z(24), Z(12, 12), Z(12), 3)),
            ("MultiHeadAttention", () => F.MultiHeadAttention(Z(2, 5, 12), Z(36, 12), Z(36), Z(12, 10), Z(12), 3)),
            ("MultiHeadAttention", () => F.MultiHeadAttention(Z(2, 5, 12), Z(36, 12), Z(12), Z(12, 12), Z(12), 3)),
            ("ScaledDotProductAttention", () => F.ScaledDotProductAttention(Z(2, 5, 4), Z(2, 6, 3), Z(2, 6, 4))),
            ("ScaledDotProductAttention", () => F.ScaledDotProductAttention(Z(2, 5, 4), Z(2, 6, 4), Z(2, 7, 4))),
            ("ScaledDotProductAttention", () => F.ScaledDotProductAttention(Z(2, 5, 4), Z(3, 6, 4), Z(3, 6, 4))),
            ("Slice", () => F.Slice(Z(3, 5), 1, 3, 3)),
            ("Slice", () => F.Slice(Z(3, 5), 1, -1, 2)),
            ("Concat", () => F.Concat([Z(3, 5), Z(4, 5)], 1)),
            ("Concat", () => F.Concat([Z(3, 5), Z(3, 5, 1)], 0)),
            ("Permute", () => F.Permute(Z(3, 5, 7), 0, 0, 1)),
            ("Permute", () => F.Permute(Z(3, 5, 7), 0, 1)),
            ("Permute", () => F.Permute(Z(1, 2, 3, 4, 5), 0, 1, 2, 3, 4)),
        };
        foreach (var (op, run) in cases)
        {
            var e = Assert.Throws<TensorShapeException>(run);
            Assert.Equal(op, e.Op);
        }
        Assert.Equal(0, Autograd.TapeLength);
    }

    [Fact]
    public void The_backend_rejects_bad_layout_arguments_naming_the_op()
    {
        var backend = TestBackends.Get("cpu");
        using var x = backend.Allocate<float>(60);
        using var y = backend.Allocate<float>(60);
        void Rejects(string op, Action run) => Assert.Contains(op, Assert.Throws<ArgumentException>(run).Message);
        Rejects("Patchify", () => backend.Patchify(x, y, 1, 3, 4, 5, 2));
        Rejects("PatchifyBackward", () => backend.PatchifyBackward(x, y, 1, 3, 5, 4, 2));
        Rejects("Patchify", () => backend.Patchify(x, x, 1, 3, 4, 5, 1));
        Rejects("Permute", () => backend.Permute(x, y, [3, 4, 5], [0, 1, 1]));
        Rejects("Permute", () => backend.Permute(x, y, [3, 4, 6], [0, 2, 1]));
        Rejects("CopyAxis", () => backend.CopyAxis(x, y, AxisCopy.Slice(3, 4, 5, 2, 3)));
        Rejects("CopyAxis", () => backend.CopyAxis(x, y, AxisCopy.Place(3, 4, 5, 6, 3)));
        Rejects("CopyAxis", () => backend.CopyAxis(x, x, AxisCopy.Slice(3, 4, 5, 1, 3)));
    }
}
