namespace SparseCore.Tensors.Tests;

/// <summary>
/// Every core op, forward and backward through autograd, against its double reference; and every
/// reference's backward against finite differences, so the comparison target is itself checked.
/// </summary>
public class OpTests
{
    public static IEnumerable<object[]> BackendCases() =>
        from b in TestBackends.Names from n in OpCases.Names() select new object[] { b, n };

    public static IEnumerable<object[]> Cases() => OpCases.Names().Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backendName, string caseName) =>
        OpCheck.ForwardAndBackward(backendName, caseName, OpCases.Create(caseName, TestBackends.IsSlow(backendName)));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string caseName) =>
        OpCheck.ReferenceMatchesFiniteDifferences(caseName, OpCases.Create(caseName, small: true));

    [Theory]
    [InlineData("matmul:NT")]
    [InlineData("unary:Tanh")]
    [InlineData("crossentropy:0.1")]
    [InlineData("binary:Mul:channel")]
    public void A_backward_off_by_one_percent_fails_the_check(string caseName) =>
        OpCheck.ScaledBackwardFails(caseName, OpCases.Create(caseName, small: true));
}
