# sqlite3 on a file, from two processes writing at once (file locks), then read back.
sqlite3 db 'create table t (who text, n integer);'
for who in one two; do
    (for i in $(seq 1 50); do echo "insert into t values ('$who', $i);"; done | sqlite3 -cmd '.timeout 20000' db) &
done
wait
sqlite3 db 'select who, count(*), sum(n) from t group by who order by who;'
sqlite3 db 'pragma integrity_check;'
