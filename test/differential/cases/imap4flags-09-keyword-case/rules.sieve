require "imap4flags";
addflag "Foo";
addflag "foo";
addflag "FOO";
