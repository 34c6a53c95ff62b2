# A plain Perl accept loop on the inherited listening socket (fd 0): one line in, "ok <pid>" out.
use strict;
use warnings;
open(my $listener, "+<&=", 0) or die "fd 0: $!";
while (1) {
    accept(my $conn, $listener) or die "accept: $!";
    my $line = <$conn>;
    print $conn "ok $$\n";
    close($conn);
}
