#!/bin/sh
# t-files.sh - what ferry creates on disk is private and never follows a
# planted link (issue 8): files 0600 and folders 0700 whatever the umask,
# temporaries included; an existing symbolic link at the output is refused
# and nothing is written through it. (The temporary path's link check is
# in tests/unit/test_tmp_paths.c, which can predict the random name.)
name=files
. "$(dirname "$0")/../lib.sh"

umask 000
ferry export -q dir:"$SAMPLES/neutral" -o a.ferry
check "umask 000: the archive is 0600" test "$(stat -c %a a.ferry)" = 600
ferry import -q a.ferry dir:tree
check "umask 000: every imported folder is 0700" test -z "$(find tree -type d ! -perm 0700)"
check "umask 000: every imported file is 0600" test -z "$(find tree -type f ! -perm 0600)"
FERRY_FAIL_AT=3 $FERRY export -q dir:"$SAMPLES/neutral" -o b.ferry 2>/dev/null
check "a killed export's temporary is 0600" test "$(stat -c %a .b.ferry.tmp-*)" = 600
FERRY_FAIL_AT=5 $FERRY import -q a.ferry dir:tree2 2>/dev/null
check "a killed import's temporary folders are 0700" test -z "$(find .tree2.tmp-* -type d ! -perm 0700)"
check "and its files 0600" test -z "$(find .tree2.tmp-* -type f ! -perm 0600)"
umask 022

echo keep > victim
ln -s victim link.ferry
expect_exit 5 "export to a symbolic link is refused" ferry export dir:"$SAMPLES/neutral" -o link.ferry
check "naming the link" one_line_error "symbolic link"
check "and the link's target is untouched" test "$(cat victim)" = keep
ln -s nowhere dangling.ferry
expect_exit 5 "export to a dangling symbolic link is refused" ferry export dir:"$SAMPLES/neutral" -o dangling.ferry
check "and creates nothing" test ! -e nowhere
mkdir victim-dir
ln -s victim-dir linked-tree
expect_exit 5 "import into a symbolic link to a folder is refused" ferry import a.ferry dir:linked-tree
check "and writes nothing into the folder" test -z "$(ls -A victim-dir)"
ln -s nowhere-dir dangling-tree
expect_exit 5 "import into a dangling symbolic link is refused" ferry import a.ferry dir:dangling-tree
check "and creates nothing" test ! -e nowhere-dir

done_testing
