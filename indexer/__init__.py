"""policy-search library: documents -> clauses -> index -> answers with citations."""
import warnings

# jieba and cpca import the deprecated pkg_resources; the warning would break the
# one-line-on-stderr promise of the CLI and says nothing to a user.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
