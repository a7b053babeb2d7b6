module com.example.consumer {
    requires org.covidct.nn;
}
